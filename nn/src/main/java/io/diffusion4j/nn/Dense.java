package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffusion4j.util.Check;

/**
 * A fully connected layer y = x·Wᵀ + b with PyTorch's {@code Linear} layout (weight (out, in)) and
 * initialisation U(±1/√in), or zero when built with {@code zeroInit}.
 */
public final class Dense extends Layer {
    private final int in;
    private final int out;
    private final boolean zeroInit;
    private final Parameter weight = parameter("weight", Parameter.Type.WEIGHT);
    private final Parameter bias = parameter("bias", Parameter.Type.BIAS);

    /**
     * @param in input features ≥ 1
     * @param out output features ≥ 1
     * @param zeroInit start with weight and bias zero
     */
    public Dense(int in, int out, boolean zeroInit) {
        this.in = Check.positive(in, "input features");
        this.out = Check.positive(out, "output features");
        this.zeroInit = zeroInit;
    }

    /** A layer with PyTorch's default initialisation. */
    public Dense(int in, int out) {
        this(in, out, false);
    }

    /** Applies the layer to (N, in). */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return x.getNDArrayInternal().linear(x, value(ps, weight, x, training), value(ps, bias, x, training)).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    protected void prepareParameters() {
        weight.setShape(new Shape(out, in));
        bias.setShape(new Shape(out));
    }

    @Override
    public void reset(long seed) {
        double bound = zeroInit ? 0 : 1.0 / Math.sqrt(in);
        Params.fillUniform(weight.getArray(), bound, SeedMix.derive(seed, 0));
        Params.fillUniform(bias.getArray(), bound, SeedMix.derive(seed, 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {new Shape(inputs[0].get(0), out)};
    }
}
