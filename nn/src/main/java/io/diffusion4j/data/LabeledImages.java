package io.diffusion4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A labelled image data set (uint8 pixels (N, C, H, W) and int64 labels (N,)), as {@link FashionMnist}
 * loads it: {@link Samples} whose samples are images and whose labels are required. {@link #images} and
 * {@link #imageShape} are the image-vocabulary names of {@link #batch} and {@link #sampleShape}.
 */
public final class LabeledImages extends Samples {
    /**
     * @param manager owner of the tensors
     * @param pixels row-major unsigned bytes of shape (n, c, h, w), n = labels.length
     * @param labels class labels in [0, numClasses)
     * @param numClasses K ≥ 1
     */
    public LabeledImages(NDManager manager, byte[] pixels, long[] labels, int c, int h, int w, int numClasses) {
        super(pixelTensor(manager, pixels, new Shape(labels.length, c, h, w)),
                labelTensor(manager, labels, labels.length, numClasses), numClasses);
    }

    /** Shape of one image (C, H, W); the same as {@link #sampleShape}. */
    public Shape imageShape() {
        return sampleShape();
    }

    /** The images at {@code indices} as float32 in [−1, 1] (x/127.5 − 1); the same as {@link #batch}. */
    public NDArray images(NDManager manager, long[] indices) {
        return batch(manager, indices);
    }
}
