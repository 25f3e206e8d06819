package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Halves height and width with a 3×3 convolution of stride 2, padding 1 (H → ⌈H/2⌉). Child {@code conv}. */
public final class Downsample extends Layer {
    private final Conv conv;

    /** A downsampler keeping {@code channels}. */
    public Downsample(int channels) {
        conv = child("conv", new Conv(channels, channels, 3, 2, false));
    }

    /** Downsamples (N, C, H, W). */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return conv.forward(ps, x, training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return conv.getOutputShapes(inputs);
    }
}
