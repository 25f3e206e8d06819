package io.diffusion4j.model;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.schedule.NoiseLevel;

/**
 * A denoiser's answer at one level: the clean-sample estimate x̂₀ and the noise estimate ε̂, related
 * by x = α·x̂₀ + σ·ε̂.
 *
 * @param x0 estimate of the clean sample, same shape as the input
 * @param eps estimate of the noise, same shape as the input
 */
public record Estimate(NDArray x0, NDArray eps) {

    /** The estimate implied by ε̂ at x: x̂₀ = (x − σ·ε̂)/α (α &gt; 0). */
    public static Estimate fromEps(NDArray x, NDArray eps, NoiseLevel level) {
        return new Estimate(x.sub(eps.mul(level.sigma())).div(level.alpha()), eps);
    }

    /** The estimate implied by x̂₀ at x: ε̂ = (x − α·x̂₀)/σ, or 0 at a clean level. */
    public static Estimate fromX0(NDArray x, NDArray x0, NoiseLevel level) {
        return new Estimate(x0, level.isClean() ? x0.zerosLike() : x.sub(x0.mul(level.alpha())).div(level.sigma()));
    }

    public Estimate {
        if (x0 == null || eps == null) {
            throw new IllegalArgumentException("an estimate needs both x0 and eps");
        }
        if (!x0.getShape().equals(eps.getShape())) {
            throw new IllegalArgumentException("x0 and eps must have the same shape, got " + x0.getShape() + " and " + eps.getShape());
        }
    }
}
