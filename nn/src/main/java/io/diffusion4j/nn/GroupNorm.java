package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffusion4j.util.Check;

/**
 * Group normalisation (Wu &amp; He 2018, eq. 1–3): the channels of each sample are split into G
 * groups, each group is normalised to zero mean and unit (biased) variance over its channels and
 * pixels, then a per-channel affine γ·x̂ + β is applied. Parameters are named as PyTorch's
 * {@code GroupNorm}: {@code weight} (γ, initially 1) and {@code bias} (β, initially 0).
 *
 * <p>DJL has no group norm; {@link #groupNorm} calls PyTorch's {@code group_norm} kernel through
 * {@link TorchOps} (normalisation and affine in one pass forward and one backward). The earlier route,
 * the engine's layer norm over (N, G, rest) followed by a per-channel mul and add, cost about twice as
 * much per training step with SiLU.
 */
public final class GroupNorm extends Layer {
    private final int groups;
    private final int channels;
    private final float eps;
    private final Parameter gamma = parameter("weight", Parameter.Type.GAMMA);
    private final Parameter beta = parameter("bias", Parameter.Type.BETA);

    /**
     * @param groups G ≥ 1, dividing {@code channels}
     * @param channels C
     * @param eps added to the variance, &gt; 0 (PyTorch's default is 1e-5)
     */
    public GroupNorm(int groups, int channels, float eps) {
        this.groups = Check.positive(groups, "groups");
        this.channels = Check.positive(channels, "channels");
        if (channels % groups != 0) {
            throw new IllegalArgumentException("channels (" + channels + ") must be divisible by groups (" + groups + ")");
        }
        this.eps = (float) Check.positive(eps, "eps");
    }

    /** Group norm with PyTorch's eps 1e-5. */
    public GroupNorm(int groups, int channels) {
        this(groups, channels, 1e-5f);
    }

    /**
     * Group norm of x (N, C, …) with per-channel γ and β of shape (C).
     *
     * @param x input of at least 2 dimensions, C divisible by {@code groups}
     * @return normalised x, same shape
     */
    public static NDArray groupNorm(NDArray x, int groups, NDArray gamma, NDArray beta, float eps) {
        return groupNorm(x, groups, gamma, beta, eps, false);
    }

    /** As {@link #groupNorm(NDArray, int, NDArray, NDArray, float)}, followed by SiLU when {@code silu} is set. */
    public static NDArray groupNorm(NDArray x, int groups, NDArray gamma, NDArray beta, float eps, boolean silu) {
        Shape shape = x.getShape();
        if (shape.dimension() < 2 || shape.get(1) % groups != 0) {
            throw new IllegalArgumentException("group norm needs (N, C, …) with C divisible by groups (" + groups + "), got " + shape);
        }
        return TorchOps.groupNorm(x, groups, gamma, beta, eps, silu);
    }

    /** Normalises (N, C, …). */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return forward(ps, x, training, false);
    }

    /** SiLU(GroupNorm(x)) of (N, C, …), one fused engine call (what every res block and the output head apply). */
    public NDArray forwardSilu(ParameterStore ps, NDArray x, boolean training) {
        return forward(ps, x, training, true);
    }

    private NDArray forward(ParameterStore ps, NDArray x, boolean training, boolean silu) {
        if (x.getShape().get(1) != channels) {
            throw new IllegalArgumentException("GroupNorm expects " + channels + " channels, got shape " + x.getShape());
        }
        return groupNorm(x, groups, value(ps, gamma, x, training), value(ps, beta, x, training), eps, silu);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    protected void prepareParameters() {
        gamma.setShape(new Shape(channels));
        beta.setShape(new Shape(channels));
    }

    @Override
    public void reset(long seed) {
        Params.assign(gamma.getArray(), Params.filled(channels, 1f));
        Params.assign(beta.getArray(), Params.filled(channels, 0f));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {inputs[0]};
    }
}
