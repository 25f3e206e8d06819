package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.diffusion4j.model.Network;

/**
 * A network the {@link io.diffusion4j.train.Trainer} can optimise: a DJL block with the one call every
 * model here has, (x, t, labels) → output. Denoisers use all three; a classifier ignores t and labels.
 */
public interface TrainableNetwork extends Block {
    /**
     * @param x input batch (N, …)
     * @param t float32 (N,) schedule times, or null for networks without time input
     * @param labels int64 (N,) class labels, or null
     * @param training whether to apply dropout
     */
    NDArray forward(ParameterStore ps, NDArray x, NDArray t, NDArray labels, boolean training);

    /**
     * This network as core's {@link Network} for sampling (no dropout, no gradient). {@code ps} must
     * hold this block's parameters.
     */
    default Network asNetwork(ParameterStore ps) {
        return (x, t, labels) -> forward(ps, x, t, labels, false);
    }
}
