package io.diffusion4j.schedule;

/**
 * A forward noise process x_t = α(t)·x₀ + σ(t)·ε, ε ~ N(0, I) (DESIGN.md: the α/σ view).
 *
 * <p>Each family defines the unit of t: {@link DiscreteVp} a timestep index in [0, T−1] (diffusers'
 * indexing, fractional values interpolate), {@link RectifiedFlow} and {@link CosineVp} a time in [0, 1],
 * {@link KarrasSigmas} the noise level σ itself. Larger t always means more noise.
 */
public sealed interface NoiseSchedule permits DiscreteVp, RectifiedFlow, KarrasSigmas, CosineVp {

    /** Signal scale α(t). */
    double alpha(double t);

    /** Noise scale σ(t). */
    double sigma(double t);

    /** Smallest valid t (least noise). */
    double tMin();

    /** Largest valid t (most noise). */
    double tMax();

    /** Signal-to-noise ratio α²/σ². */
    default double snr(double t) {
        double a = alpha(t);
        double s = sigma(t);
        return a * a / (s * s);
    }

    /** Log-SNR λ_full = ln(α²/σ²) (twice DPM-Solver's λ). */
    default double logSnr(double t) {
        return 2.0 * (Math.log(alpha(t)) - Math.log(sigma(t)));
    }

    /** The noise level at time t. */
    default NoiseLevel level(double t) {
        checkTime(t);
        return new NoiseLevel(t, alpha(t), sigma(t));
    }

    /**
     * The level of this process whose σ/α equals {@code veSigma} ≥ 0 (k-diffusion's σ), with the
     * schedule time t that belongs to it; used by solvers that evaluate between plan levels.
     */
    NoiseLevel atVeSigma(double veSigma);

    /** Throws when t is outside [tMin, tMax]. */
    default double checkTime(double t) {
        if (!(t >= tMin() && t <= tMax())) {
            throw new IllegalArgumentException("t must be in [" + tMin() + ", " + tMax() + "], got " + t);
        }
        return t;
    }
}
