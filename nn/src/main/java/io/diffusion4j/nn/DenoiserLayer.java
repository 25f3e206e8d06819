package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A {@link Layer} that is a denoising network: (x, t, labels) → an output of x's shape. It implements DJL's
 * list-based block call once for all denoisers: inputs (x, t) or (x, t, labels), one output.
 */
public abstract class DenoiserLayer extends Layer implements TrainableNetwork {
    @Override
    protected final NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray labels = inputs.size() > 2 ? inputs.get(2) : null;
        return list(forward(ps, inputs.get(0), inputs.get(1), labels, training));
    }

    /** The output has the shape of x. */
    @Override
    public final Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {inputs[0]};
    }
}
