package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
 * <p>DJL has no group norm; {@link #groupNorm} reshapes to (N, G, rest) and calls the engine's fused
 * layer norm over {@code rest}, which is exactly a group norm without affine (DJL.md).
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
        Shape shape = x.getShape();
        long c = shape.get(1);
        if (c % groups != 0) {
            throw new IllegalArgumentException("channels (" + c + ") must be divisible by groups (" + groups + ")");
        }
        NDArray g = x.reshape(shape.get(0), groups, -1);
        Shape rest = new Shape(g.getShape().get(2));
        NDManager m = x.getManager();
        NDArray normed;
        try (NDArray ones = m.ones(rest, x.getDataType()); NDArray zeros = m.zeros(rest, x.getDataType())) {
            normed = g.getNDArrayInternal().layerNorm(g, rest, ones, zeros, eps).singletonOrThrow();
        }
        long[] b = new long[shape.dimension()];
        java.util.Arrays.fill(b, 1);
        b[1] = c;
        Shape perChannel = new Shape(b);
        return normed.reshape(shape).mul(gamma.reshape(perChannel)).add(beta.reshape(perChannel));
    }

    /** Normalises (N, C, …). */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        if (x.getShape().get(1) != channels) {
            throw new IllegalArgumentException("GroupNorm expects " + channels + " channels, got shape " + x.getShape());
        }
        return groupNorm(x, groups, value(ps, gamma, x, training), value(ps, beta, x, training), eps);
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
