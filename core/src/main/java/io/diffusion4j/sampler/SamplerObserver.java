package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;

/**
 * Watches a sampling run: progress bars, trajectory recorders (GIFs). The arrays are valid only during
 * the call: copy what must be kept ({@code toFloatArray()} or {@code duplicate()} on a manager of your own).
 */
@FunctionalInterface
public interface SamplerObserver {
    /** Does nothing. */
    SamplerObserver NONE = (i, n, x, x0) -> { };

    /**
     * Called after step {@code index} (0-based) of {@code steps}.
     *
     * @param x the sample after the step
     * @param x0 the step's clean-sample estimate
     */
    void afterStep(int index, int steps, NDArray x, NDArray x0);
}
