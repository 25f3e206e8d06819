package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Nearest-neighbour upsampling followed by a 3×3 convolution (the PyTorch engine of DJL has no
 * transposed convolution, DJL.md). Child {@code conv}.
 */
public final class Upsample extends Layer {
    private static final int NEAREST = 0;
    private final Conv conv;

    /** An upsampler keeping {@code channels}. */
    public Upsample(int channels) {
        conv = child("conv", new Conv(channels, channels, 3));
    }

    /**
     * Upsamples (N, C, H, W) to (N, C, height, width) by nearest neighbour, then convolves. The U-Net
     * passes the size of the skip connection it joins (2H × 2W for even sizes).
     */
    public NDArray forward(ParameterStore ps, NDArray x, long height, long width, boolean training) {
        NDArray up = x.getNDArrayInternal().interpolation(new long[] {height, width}, NEAREST, false);
        return conv.forward(ps, up, training);
    }

    /** Upsamples by 2. */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return forward(ps, x, 2 * x.getShape().get(2), 2 * x.getShape().get(3), training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape x = inputs[0];
        return new Shape[] {new Shape(x.get(0), x.get(1), 2 * x.get(2), 2 * x.get(3))};
    }
}
