package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;

/**
 * The noise estimate that goes with an x̂₀ {@link X0Clipping} may have changed. diffusers re-derives the model
 * output from the clipped or thresholded x0 in {@code DEISMultistepScheduler}, in {@code
 * DPMSolverSinglestepScheduler} with {@code algorithm_type="dpmsolver"} and in {@code DDIMScheduler} with
 * {@code use_clipped_model_output}, so that x = α·x̂₀ + σ·ε̂ holds again.
 */
final class ClippedEstimate {
    private ClippedEstimate() {}

    /**
     * ε̂ for {@code clippedX0}: the denoiser's own ε̂ when clipping left x̂₀ as it was (the very array), else
     * (x − α·x̂₀)/σ at {@code level} ({@link Estimate#fromX0}).
     *
     * @param x the sample the denoiser was called at
     * @param clippedX0 {@code clipping.apply(e.x0())}
     * @param e the denoiser's estimate at x
     * @param level the level of x
     */
    static NDArray eps(NDArray x, NDArray clippedX0, Estimate e, NoiseLevel level) {
        return clippedX0 == e.x0() ? e.eps() : Estimate.fromX0(x, clippedX0, level).eps();
    }
}
