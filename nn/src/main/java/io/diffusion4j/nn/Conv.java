package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffusion4j.util.Check;

/**
 * A 2-D convolution with square kernel whose channel counts are fixed at construction (PyTorch's
 * {@code Conv2d} layout: weight (out, in, k, k), bias (out)). Initialised as PyTorch does,
 * U(±1/√fan_in) for weight and bias, or to zero when built with {@code zeroInit} (the "zero module"
 * of Dhariwal &amp; Nichol 2021, so a residual branch starts as the identity).
 */
public final class Conv extends Layer {
    private final int in;
    private final int out;
    private final int kernel;
    private final int stride;
    private final boolean zeroInit;
    private final Parameter weight = parameter("weight", Parameter.Type.WEIGHT);
    private final Parameter bias = parameter("bias", Parameter.Type.BIAS);

    /**
     * @param in input channels ≥ 1
     * @param out output channels ≥ 1
     * @param kernel odd kernel size; padding is kernel/2 ("same" at stride 1)
     * @param stride stride ≥ 1
     * @param zeroInit start with weight and bias zero
     */
    public Conv(int in, int out, int kernel, int stride, boolean zeroInit) {
        this.in = Check.positive(in, "input channels");
        this.out = Check.positive(out, "output channels");
        this.kernel = Check.positive(kernel, "kernel size");
        if (kernel % 2 == 0) {
            throw new IllegalArgumentException("kernel size must be odd, got " + kernel);
        }
        this.stride = Check.positive(stride, "stride");
        this.zeroInit = zeroInit;
    }

    /** A stride-1 convolution with "same" padding and PyTorch's default initialisation. */
    public Conv(int in, int out, int kernel) {
        this(in, out, kernel, 1, false);
    }

    /** Output channels. */
    public int outChannels() {
        return out;
    }

    /** Applies the convolution to (N, in, H, W). */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = value(ps, weight, x, training);
        NDArray b = value(ps, bias, x, training);
        if (Autocast.bf16ConvolutionsActive() && x.getDataType() == DataType.FLOAT32) {
            return TorchOps.conv2dBf16(x, w, b, stride, kernel / 2);
        }
        Shape s = new Shape(stride, stride);
        Shape p = new Shape(kernel / 2, kernel / 2);
        return x.getNDArrayInternal().convolution(x, w, b, s, p, new Shape(1, 1), 1).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    protected void prepareParameters() {
        weight.setShape(new Shape(out, in, kernel, kernel));
        bias.setShape(new Shape(out));
    }

    @Override
    public void reset(long seed) {
        double bound = zeroInit ? 0 : 1.0 / Math.sqrt((double) in * kernel * kernel);
        Params.fillUniform(weight.getArray(), bound, SeedMix.derive(seed, 0));
        Params.fillUniform(bias.getArray(), bound, SeedMix.derive(seed, 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape x = inputs[0];
        return new Shape[] {new Shape(x.get(0), out, (x.get(2) - 1) / stride + 1, (x.get(3) - 1) / stride + 1)};
    }
}
