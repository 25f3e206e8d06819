package io.diffusion4j.schedule;

/**
 * One noise level of a forward process x_t = α·x₀ + σ·ε, with the schedule time t it belongs to.
 *
 * <p>{@code t} is in the schedule's own unit: a (possibly fractional) timestep index in 0…T−1 for
 * {@link DiscreteVp}, a time in [0, 1] for {@link RectifiedFlow}, σ itself for {@link KarrasSigmas}.
 * The clean end of a trajectory has σ = 0 and α = 1.
 *
 * @param t schedule time at which a denoiser is evaluated
 * @param alpha signal scale α ≥ 0
 * @param sigma noise scale σ ≥ 0
 */
public record NoiseLevel(double t, double alpha, double sigma) {
    public NoiseLevel {
        if (!(alpha >= 0) || !(sigma >= 0) || Double.isInfinite(alpha) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("noise level needs finite alpha >= 0 and sigma >= 0, got alpha="
                    + alpha + ", sigma=" + sigma);
        }
    }

    /** The clean end of a trajectory (α = 1, σ = 0) at schedule time {@code t}. */
    public static NoiseLevel clean(double t) {
        return new NoiseLevel(t, 1.0, 0.0);
    }

    /**
     * The level at time t with variance-exploding noise σ_ve: α = 1/√(1 + σ_ve²), σ = σ_ve·α for a
     * variance-preserving process ({@code vp}), else α = 1, σ = σ_ve.
     */
    public static NoiseLevel ofVeSigma(double t, double veSigma, boolean vp) {
        if (!vp) {
            return new NoiseLevel(t, 1.0, veSigma);
        }
        double alpha = 1.0 / Math.sqrt(1.0 + veSigma * veSigma);
        return new NoiseLevel(t, alpha, veSigma * alpha);
    }

    /**
     * The forward process q(x_t | x₀) at this level: x = α·x₀ + σ·ε (Ho et al. 2020, eq. 4; diffusers
     * {@code add_noise}). The result belongs to x0's manager.
     */
    public ai.djl.ndarray.NDArray diffuse(ai.djl.ndarray.NDArray x0, ai.djl.ndarray.NDArray eps) {
        if (!x0.getShape().equals(eps.getShape())) {
            throw new IllegalArgumentException("x0 and eps must have the same shape, got " + x0.getShape() + " and " + eps.getShape());
        }
        return x0.mul(alpha).add(eps.mul(sigma));
    }

    /** Whether this is a noise-free level (σ = 0). */
    public boolean isClean() {
        return sigma == 0.0;
    }

    /** Signal-to-noise ratio α²/σ² (+∞ when clean). */
    public double snr() {
        return (alpha * alpha) / (sigma * sigma);
    }

    /** Log-SNR ln(α²/σ²) = 2λ. */
    public double logSnr() {
        return 2.0 * lambda();
    }

    /** DPM-Solver's half log-SNR λ = ln α − ln σ (Lu et al. 2022, eq. 3); +∞ when clean. */
    public double lambda() {
        return Math.log(alpha) - Math.log(sigma);
    }

    /** The variance-exploding noise level σ/α of k-diffusion and EDM (0 when clean, +∞ when α = 0). */
    public double veSigma() {
        return sigma / alpha;
    }
}
