package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.diffusion4j.util.Check;

import java.util.ArrayList;
import java.util.List;

/**
 * A denoiser for 2-D and tabular data (N, D), configured by {@link MlpConfig}: the concatenation of x, the
 * sinusoidal features of every input coordinate (scaled by {@code inputScale}), those of t (scaled by
 * {@code timeScale}) and, when conditional, of a learned class embedding (row K = null label) goes through
 * Linear → SiLU, then {@code depth} residual blocks h ← h + SiLU(Linear(h)), then Linear to (N, D).
 * The sinusoidal features are those of {@link TimestepEmbedding#sinusoidal}.
 *
 * <p>Parameter keys ({@link Params#named}): {@code class_embedding.weight}, {@code linear_in.weight},
 * {@code blocks.<i>.weight}, {@code linear_out.weight} (and each {@code .bias}).
 */
public final class MlpDenoiser extends DenoiserLayer {
    private final MlpConfig config;
    private final ClassEmbedding classEmbedding;
    private final Dense linearIn;
    private final List<Dense> blocks = new ArrayList<>();
    private final Dense linearOut;

    /** An MLP of the given shape; call {@link Params#create} to initialise it. */
    public MlpDenoiser(MlpConfig config) {
        this.config = Check.notNull(config, "config");
        int e = config.embeddingDim();
        classEmbedding = config.conditional() ? child("class_embedding", new ClassEmbedding(config.numClasses(), e)) : null;
        linearIn = child("linear_in", new Dense(config.featureWidth(), config.width()));
        for (int i = 0; i < config.depth(); i++) {
            blocks.add(child("blocks." + i, new Dense(config.width(), config.width())));
        }
        linearOut = child("linear_out", new Dense(config.width(), config.dim()));
    }

    /** The configuration. */
    public MlpConfig config() {
        return config;
    }

    /**
     * The network output for x at times t with labels.
     *
     * @param x samples (N, D), float32 (or float64 for gradient checks)
     * @param t schedule times (N,) in the schedule's unit (index 0 … T−1, or t ∈ [0, 1] for rectified flow)
     * @param labels int64 (N,) in 0 … K, or null for the null label (ignored by unconditional networks)
     * @param training unused (no dropout)
     * @return the prediction (N, D)
     */
    @Override
    public NDArray forward(ParameterStore ps, NDArray x, NDArray t, NDArray labels, boolean training) {
        Shape s = x.getShape();
        if (s.dimension() != 2 || s.get(1) != config.dim()) {
            throw new IllegalArgumentException("MlpDenoiser expects input (N, " + config.dim() + "), got " + s);
        }
        long n = s.get(0);
        if (t == null || t.getShape().size() != n) {
            throw new IllegalArgumentException("t must have shape (" + n + "), got " + (t == null ? "null" : t.getShape()));
        }
        int e = config.embeddingDim();
        NDList features = new NDList(4);
        features.add(x);
        features.add(TimestepEmbedding.sinusoidal(x.mul(config.inputScale()).reshape(-1), e).reshape(n, (long) config.dim() * e));
        features.add(TimestepEmbedding.sinusoidal(t.reshape(-1).mul(config.timeScale()), e).toType(x.getDataType(), false));
        if (classEmbedding != null) {
            features.add(classEmbedding.forBatch(ps, labels, n, x.getManager(), training).toType(x.getDataType(), false));
        }
        NDArray h = silu(linearIn.forward(ps, NDArrays.concat(features, 1), training));
        for (Dense block : blocks) {
            h = h.add(silu(block.forward(ps, h, training)));
        }
        return linearOut.forward(ps, h, training);
    }
}
