package io.diffusion4j.model;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.schedule.NoiseLevel;

/**
 * What a trained network is to a sampler: x at a noise level → estimate of x₀ and ε.
 *
 * <p>x is in the schedule's native scaling x = α·x₀ + σ·ε, shape (N, …). The level carries the
 * schedule time t (what the network is told) together with α and σ (what the conversion needs), so
 * an adapter never recomputes them: with Karras σ on a VP model diffusers evaluates the network at a
 * rounded t while α, σ come from the Karras σ. Implementations must not close {@code x}.
 */
@FunctionalInterface
public interface Denoiser {
    /**
     * @param x noisy samples, shape (N, …)
     * @param level noise level of every row
     * @param cond conditioning of the rows (labels of shape (N,), or none)
     */
    Estimate denoise(NDArray x, NoiseLevel level, Conditioning cond);
}
