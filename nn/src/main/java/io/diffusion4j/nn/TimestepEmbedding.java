package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffusion4j.util.Check;

/**
 * The time embedding of a U-Net: a sinusoidal embedding of the schedule time t (Vaswani et al. 2017,
 * §3.5, as used by Ho et al. 2020) followed by Linear → SiLU → Linear. Children {@code linear_1},
 * {@code linear_2} (diffusers' names).
 */
public final class TimestepEmbedding extends Layer {
    private static final double MAX_PERIOD = 10_000.0;
    private final int sinusoidalDim;
    private final int dim;
    private final Dense linear1;
    private final Dense linear2;

    /**
     * @param sinusoidalDim width of the sinusoidal features (even)
     * @param dim output width of the MLP
     */
    public TimestepEmbedding(int sinusoidalDim, int dim) {
        this.sinusoidalDim = Check.positive(sinusoidalDim, "sinusoidal width");
        if (sinusoidalDim % 2 != 0) {
            throw new IllegalArgumentException("sinusoidal width must be even, got " + sinusoidalDim);
        }
        this.dim = Check.positive(dim, "embedding width");
        linear1 = child("linear_1", new Dense(sinusoidalDim, dim));
        linear2 = child("linear_2", new Dense(dim, dim));
    }

    /**
     * Sinusoidal features [cos(t·f_i), sin(t·f_i)], f_i = 10000^(−i/half), i = 0 … half−1 (the
     * cos-first order of guided-diffusion's {@code timestep_embedding}).
     *
     * @param t schedule times (N,), any float type; for discrete schedules the index 0 … T−1
     * @param width feature width (even)
     * @return (N, width), float64 when t is float64, else float32
     */
    public static NDArray sinusoidal(NDArray t, int width) {
        int half = width / 2;
        float[] f = new float[half];
        for (int i = 0; i < half; i++) {
            f[i] = (float) StrictMath.exp(-StrictMath.log(MAX_PERIOD) * i / half);
        }
        DataType type = t.getDataType() == DataType.FLOAT64 ? DataType.FLOAT64 : DataType.FLOAT32;
        NDArray tt = t.toType(type, false).reshape(-1, 1);
        NDArray args = tt.mul(t.getManager().create(f, new Shape(1, half)).toType(type, false));
        return NDArrays.concat(new NDList(args.cos(), args.sin()), 1);
    }

    /** The embedding (N, dim) of times t (N,). */
    public NDArray forward(ParameterStore ps, NDArray t, boolean training) {
        NDArray h = linear1.forward(ps, sinusoidal(t, sinusoidalDim), training);
        return linear2.forward(ps, silu(h), training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {new Shape(inputs[0].get(0), dim)};
    }
}
