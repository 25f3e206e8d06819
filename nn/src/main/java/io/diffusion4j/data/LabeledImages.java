package io.diffusion4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.util.Check;

import java.nio.ByteBuffer;

/**
 * A whole image data set held as one uint8 tensor (N, C, H, W) and one int64 label tensor (N,), so a
 * batch is one indexed gather (DJL.md: per-sample batchifying can cost more than the step).
 */
public final class LabeledImages implements AutoCloseable {
    private final NDArray pixels;
    private final NDArray labels;
    private final int numClasses;

    /**
     * @param manager owner of the tensors
     * @param pixels row-major unsigned bytes of shape (n, c, h, w)
     * @param labels class labels in [0, numClasses)
     */
    public LabeledImages(NDManager manager, byte[] pixels, long[] labels, int c, int h, int w, int numClasses) {
        int n = labels.length;
        if ((long) n * c * h * w != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes do not make " + n + " images of " + c + "x" + h + "x" + w);
        }
        this.numClasses = Check.positive(numClasses, "number of classes");
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " of image " + i + " is outside [0, " + (numClasses - 1) + "]");
            }
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(pixels.length);
        buf.put(pixels).flip();
        this.pixels = manager.create(buf, new Shape(n, c, h, w), DataType.UINT8);
        this.labels = manager.create(labels);
    }

    /** Number of images. */
    public long size() {
        return labels.getShape().get(0);
    }

    /** Shape of one image (C, H, W). */
    public Shape imageShape() {
        return pixels.getShape().slice(1);
    }

    /** Number of classes. */
    public int numClasses() {
        return numClasses;
    }

    /**
     * The images at {@code indices}, as float32 in [−1, 1] (x/127.5 − 1), owned by {@code manager}.
     */
    public NDArray images(NDManager manager, long[] indices) {
        try (NDArray idx = manager.create(indices); NDArray u8 = pixels.get(idx)) {
            NDArray x = u8.toType(DataType.FLOAT32, false).div(127.5f).sub(1f);
            x.attach(manager);
            return x;
        }
    }

    /** The labels at {@code indices} (int64), owned by {@code manager}. */
    public NDArray labels(NDManager manager, long[] indices) {
        try (NDArray idx = manager.create(indices)) {
            NDArray l = labels.get(idx);
            l.attach(manager);
            return l;
        }
    }

    @Override
    public void close() {
        pixels.close();
        labels.close();
    }
}
