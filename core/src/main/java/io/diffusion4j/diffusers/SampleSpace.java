package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.schedule.NoiseLevel;

/**
 * How a diffusers scheduler scales the sample it hands around, relative to our native x = α·x₀ + σ·ε.
 */
public enum SampleSpace {
    /**
     * The sample is x itself: DDPM, DDIM, DPM-Solver, UniPC, … (variance preserving) and the flow-matching
     * schedulers (x = (1 − σ)·x₀ + σ·ε). The model sees the sample unscaled.
     */
    NATIVE,
    /**
     * k-diffusion's variance-exploding sample x̃ = x/α = x₀ + σ̃·ε with σ̃ = σ/α: Euler, Heun, LMS, KDPM2, EDM.
     * {@code scale_model_input} gives the model x̃/√(σ̃² + 1) = α·x̃ = x.
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

    /** diffusers' {@code scale_model_input}: what the model is given for the scheduler's sample at {@code level}. */
    NDArray modelInput(NDArray sample, NoiseLevel level) {
        return toNative(sample, level);
    }

    /** diffusers' {@code add_noise}: the scheduler's sample of x₀ noised with {@code noise} to {@code level}. */
    NDArray addNoise(NDArray x0, NDArray noise, NoiseLevel level) {
        return this == NATIVE ? level.diffuse(x0, noise) : x0.add(noise.mul(level.veSigma()));
    }

    /** {@code init_noise_sigma}: the factor of the initial noise, from the plan's native factor at its first level. */
    double initNoiseSigma(double nativeScale, NoiseLevel first) {
        return this == NATIVE ? nativeScale : nativeScale / first.alpha();
    }
}
