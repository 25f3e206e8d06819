package io.diffusion4j.model;

import ai.djl.ndarray.NDArray;

/**
 * A denoiser's answer at one level: the clean-sample estimate x̂₀ and the noise estimate ε̂, related
 * by x = α·x̂₀ + σ·ε̂.
 *
 * @param x0 estimate of the clean sample, same shape as the input
 * @param eps estimate of the noise, same shape as the input
 */
public record Estimate(NDArray x0, NDArray eps) {
    public Estimate {
        if (x0 == null || eps == null) {
            throw new IllegalArgumentException("an estimate needs both x0 and eps");
        }
        if (!x0.getShape().equals(eps.getShape())) {
            throw new IllegalArgumentException("x0 and eps must have the same shape, got " + x0.getShape() + " and " + eps.getShape());
        }
    }
}
