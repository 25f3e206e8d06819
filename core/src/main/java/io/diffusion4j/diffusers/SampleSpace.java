package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.diffusion4j.schedule.NoiseLevel;

/**
 * How a diffusers scheduler scales the sample it hands around, relative to our native x = α·x₀ + σ·ε. What
 * the model is then given is the recipe's {@link ModelConvention#modelInput} of the native x.
 */
public enum SampleSpace {
    /**
     * The sample is x itself: DDPM, DDIM, DPM-Solver, UniPC, PNDM, IPNDM, … (variance preserving) and the
     * flow-matching schedulers (x = (1 − σ)·x₀ + σ·ε).
     */
    NATIVE,
    /**
     * k-diffusion's variance-exploding sample x̃ = x/α = x₀ + σ̃·ε with σ̃ = σ/α: Euler, Heun, LMS, KDPM2 on
     * VP tables (whose {@code scale_model_input} x̃/√(σ̃² + 1) = α·x̃ is x itself), and EDM and consistency
     * models on their own levels, where α = 1 and x̃ = x.
     */
    SIGMA;

    /** Our native sample from the scheduler's sample at {@code level}. */
    NDArray toNative(NDArray sample, NoiseLevel level) {
        return this == NATIVE || level.alpha() == 1.0 ? sample : sample.mul(level.alpha());
    }

    /** The scheduler's sample from our native sample at {@code level}. */
    NDArray fromNative(NDArray x, NoiseLevel level) {
        return this == NATIVE || level.alpha() == 1.0 ? x : x.div(level.alpha());
    }

    /**
     * diffusers' {@code add_noise}: the scheduler's sample of x₀ noised with {@code noise} to {@code level}; a
     * new array (the intermediates are closed: an inpainting loop calls this every step).
     */
    NDArray addNoise(NDArray x0, NDArray noise, NoiseLevel level) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray noised = this == NATIVE ? level.diffuse(x0, noise) : x0.add(noise.mul(level.veSigma()));
            NDScope.unregister(noised);
            return noised;
        }
    }

    /** {@code init_noise_sigma}: the factor of the initial noise, from the plan's native factor at its first level. */
    double initNoiseSigma(double nativeScale, NoiseLevel first) {
        return this == NATIVE ? nativeScale : nativeScale / first.alpha();
    }
}
