package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.util.Check;

/**
 * A learned vector per class, rows 0…K−1 for the classes and row K for the null label of
 * classifier-free guidance (PyTorch {@code Embedding(K + 1, dim)}, initialised N(0, 1)).
 */
public final class ClassEmbedding extends Layer {
    private final int rows;
    private final int dim;
    private final Parameter weight = parameter("weight", Parameter.Type.WEIGHT);

    /**
     * @param numClasses K ≥ 1 (the table has K + 1 rows)
     * @param dim embedding width
     */
    public ClassEmbedding(int numClasses, int dim) {
        this.rows = Check.positive(numClasses, "number of classes") + 1;
        this.dim = Check.positive(dim, "embedding width");
    }

    /** Rows of int64 labels (N,) in 0…K; an out-of-range label throws with its value. */
    public NDArray forward(ParameterStore ps, NDArray labels, boolean training) {
        NDArray l = labels.toType(DataType.INT64, false);
        long max = l.max().getLong();
        long min = l.min().getLong();
        if (min < 0 || max >= rows) {
            throw new IllegalArgumentException("labels must be in [0, " + (rows - 1) + "] (" + (rows - 1)
                    + " = null label), got values in [" + min + ", " + max + "]");
        }
        NDArray w = value(ps, weight, labels, training);
        return l.getNDArrayInternal().embedding(l, w, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * The rows of the labels of a batch of {@code n} samples: labels int64 (n,) in 0…K, or null for the null
     * label K on every row (an unconditional call of a conditional network).
     *
     * @param manager owner of the null labels when {@code labels} is null
     */
    public NDArray forBatch(ParameterStore ps, NDArray labels, long n, NDManager manager, boolean training) {
        NDArray l = labels != null ? labels : manager.full(new Shape(n), (long) (rows - 1)).toType(DataType.INT64, false);
        if (l.getShape().size() != n) {
            throw new IllegalArgumentException("labels must have shape (" + n + "), got " + l.getShape());
        }
        return forward(ps, l.reshape(-1), training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    protected void prepareParameters() {
        weight.setShape(new Shape(rows, dim));
    }

    @Override
    public void reset(long seed) {
        float[] v = new float[rows * dim];
        new NoiseSource(seed).fill(v, 0, v.length, 0, 0);
        Params.assign(weight.getArray(), v);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {new Shape(inputs[0].get(0), dim)};
    }
}
