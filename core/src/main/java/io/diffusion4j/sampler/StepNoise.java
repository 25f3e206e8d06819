package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;

/**
 * Fresh standard-normal noise shaped like the sample, for the current step; draw {@code k} of a step
 * is the same for an image whatever its batch (see {@link io.diffusion4j.random.NoiseSource}).
 */
@FunctionalInterface
public interface StepNoise {
    /** Noise for sub-draw {@code k} (0 … 15) of this step. */
    NDArray normal(int k);
}
