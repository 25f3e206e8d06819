package io.diffusion4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.util.Check;

import java.nio.ByteBuffer;

/**
 * A whole training set held as ONE tensor of shape (N, …) — (N, D) for tabular or 2-D data, (N, C, H, W)
 * for images — and, when labelled, one int64 label tensor (N,), so a batch is a single indexed gather
 * (DJL.md: building one array per sample and stacking can cost more than the training step).
 *
 * <p>Images are stored as uint8 pixels and decoded to x/127.5 − 1 ∈ [−1, 1] per batch (a quarter of the
 * memory of float32); other data are stored as float32 and returned as they are. Every source of this
 * package (Fashion-MNIST, {@link ImageFolder}, {@link Toy2d}, {@link NpyData}) produces one.
 */
public class Samples implements AutoCloseable {
    private final NDArray data;
    private final NDArray labels;
    private final int numClasses;

    /**
     * @param data uint8 pixels or float32 values, shape (N, …) with N ≥ 1
     * @param labels int64 (N,) in [0, numClasses), or null for an unlabelled set
     * @param numClasses K ≥ 1 when labelled, 0 when not
     */
    protected Samples(NDArray data, NDArray labels, int numClasses) {
        Check.notNull(data, "data");
        if (data.getShape().dimension() < 2 || data.getShape().get(0) < 1) {
            throw new IllegalArgumentException("data must have shape (N, ...) with N >= 1 and at least one value per sample, got "
                    + data.getShape());
        }
        if (data.getDataType() != DataType.UINT8 && data.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("data must be uint8 pixels or float32 values, got " + data.getDataType());
        }
        if ((labels == null) != (numClasses == 0)) {
            throw new IllegalArgumentException(labels == null ? "numClasses must be 0 without labels, got " + numClasses
                    : "labelled data need numClasses >= 1, got " + numClasses);
        }
        this.data = data;
        this.labels = labels;
        this.numClasses = Check.nonNegative(numClasses, "number of classes");
    }

    /**
     * Images as uint8 pixels, decoded to [−1, 1] per batch.
     *
     * @param pixels row-major unsigned bytes of {@code shape}
     * @param shape (N, C, H, W) (any (N, …) is accepted)
     * @param labels class labels in [0, numClasses), one per sample, or null
     * @param numClasses K ≥ 1 with labels, 0 without
     */
    public static Samples ofPixels(NDManager manager, byte[] pixels, Shape shape, long[] labels, int numClasses) {
        return new Samples(pixelTensor(manager, pixels, shape), labelTensor(manager, labels, shape.get(0), numClasses), numClasses);
    }

    /**
     * Real-valued samples stored and returned as float32.
     *
     * @param values row-major values of {@code shape}; NaN and ±∞ are refused
     * @param shape (N, …), e.g. (N, 2) for 2-D points
     * @param labels class labels in [0, numClasses), one per sample, or null
     * @param numClasses K ≥ 1 with labels, 0 without
     */
    public static Samples ofFloats(NDManager manager, float[] values, Shape shape, long[] labels, int numClasses) {
        checkSize(values.length, shape);
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("value " + i + " (sample " + i / (values.length / shape.get(0)) + ") is "
                        + values[i] + "; data must be finite");
            }
        }
        return new Samples(manager.create(values, shape), labelTensor(manager, labels, shape.get(0), numClasses), numClasses);
    }

    /** The uint8 tensor of {@code pixels} (copied into a direct buffer the engine can wrap). */
    static NDArray pixelTensor(NDManager manager, byte[] pixels, Shape shape) {
        checkSize(pixels.length, shape);
        ByteBuffer buf = ByteBuffer.allocateDirect(pixels.length);
        buf.put(pixels).flip();
        return manager.create(buf, shape, DataType.UINT8);
    }

    /** The int64 label tensor after checking count and range; null when {@code labels} is null. */
    static NDArray labelTensor(NDManager manager, long[] labels, long n, int numClasses) {
        if (labels == null) {
            return null;
        }
        if (labels.length != n) {
            throw new IllegalArgumentException(labels.length + " labels for " + n + " samples");
        }
        Check.positive(numClasses, "number of classes");
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " of sample " + i + " is outside [0, " + (numClasses - 1) + "]");
            }
        }
        return manager.create(labels);
    }

    private static void checkSize(long count, Shape shape) {
        if (shape.dimension() < 2 || shape.size() != count) {
            throw new IllegalArgumentException(count + " values do not make samples of shape " + shape + " (N, ...)");
        }
    }

    /** Number of samples N. */
    public long size() {
        return data.getShape().get(0);
    }

    /** Shape of one sample: (D) for tabular data, (C, H, W) for images. */
    public Shape sampleShape() {
        return data.getShape().slice(1);
    }

    /** Number of classes K, or 0 for an unlabelled set. */
    public int numClasses() {
        return numClasses;
    }

    /**
     * The samples at {@code indices} as float32 (B, …) owned by {@code manager}: pixels scaled to [−1, 1]
     * (x/127.5 − 1), real values as stored.
     *
     * @param indices sample indices in [0, N)
     */
    public NDArray batch(NDManager manager, long[] indices) {
        NDArray raw = gather(data, manager, indices);
        if (raw.getDataType() != DataType.UINT8) {
            return raw;
        }
        try (raw; NDArray f = raw.toType(DataType.FLOAT32, false); NDArray scaled = f.div(127.5f)) {
            return scaled.sub(1f);
        }
    }

    /** The int64 labels (B,) at {@code indices}, owned by {@code manager}; null for an unlabelled set. */
    public NDArray labels(NDManager manager, long[] indices) {
        return labels == null ? null : gather(labels, manager, indices);
    }

    /** Rows {@code indices} of {@code source} in one indexed call, owned by {@code manager}. */
    private static NDArray gather(NDArray source, NDManager manager, long[] indices) {
        try (NDArray idx = manager.create(indices)) {
            NDArray rows = source.get(idx);
            rows.attach(manager);
            return rows;
        }
    }

    /**
     * The same samples without labels, for unconditional training. The view shares the data: closing it
     * does nothing, closing this set frees both.
     */
    public Samples withoutLabels() {
        return new Samples(data, null, 0) {
            @Override
            public void close() {
                // the data belong to the labelled set
            }
        };
    }

    /** Frees the tensors. */
    @Override
    public void close() {
        data.close();
        if (labels != null) {
            labels.close();
        }
    }
}
