package io.diffusion4j.schedule;

import io.diffusion4j.util.Check;

/**
 * The continuous cosine variance-preserving process: x_t = cos(πt/2)·x₀ + sin(πt/2)·ε for t ∈ [0, 1], so
 * α = cos(πt/2), σ = sin(πt/2), α² + σ² = 1 and the half log-SNR is λ = −ln tan(πt/2).
 *
 * <p>It is the limit of Nichol &amp; Dhariwal's cosine schedule (2021, eq. 17: ᾱ(t) = cos²((t + s)/(1 + s)·π/2))
 * with offset s = 0, in continuous time; the schedule of diffusers' {@code IPNDMScheduler}, whose levels
 * (σ_i, √(1 − σ_i²)) it labels by t_i = atan2(σ_i, α_i)·2/π, and of v-prediction models trained on it
 * (Salimans &amp; Ho 2022, where v = α·ε − σ·x₀ is the velocity of the angle πt/2). Both ends are exact: α = 1,
 * σ = 0 at t = 0 and α = 0, σ = 1 at t = 1 (pure noise).
 */
public record CosineVp() implements NoiseSchedule {

    /** α(t) = cos(πt/2); exactly 0 at t = 1. */
    @Override
    public double alpha(double t) {
        checkTime(t);
        return t == 1 ? 0.0 : Math.cos(Math.PI * t / 2);
    }

    /** σ(t) = sin(πt/2). */
    @Override
    public double sigma(double t) {
        checkTime(t);
        return Math.sin(Math.PI * t / 2);
    }

    /** σ/α = tan(πt/2), so t = atan(σ_ve)·2/π; +∞ gives the pure-noise end t = 1. */
    @Override
    public NoiseLevel atVeSigma(double veSigma) {
        if (veSigma == Double.POSITIVE_INFINITY) {
            return new NoiseLevel(1.0, 0.0, 1.0);
        }
        Check.nonNegative(veSigma, "sigma");
        double alpha = 1 / Math.sqrt(1 + veSigma * veSigma);
        return new NoiseLevel(Math.atan(veSigma) * 2 / Math.PI, alpha, veSigma * alpha);
    }

    /** The time of a level (α, σ) of this process: atan2(σ, α)·2/π, as diffusers' IPNDM computes its timesteps. */
    public static double timeOf(double alpha, double sigma) {
        return Math.atan2(sigma, alpha) * 2 / Math.PI;
    }

    @Override
    public double tMin() {
        return 0;
    }

    @Override
    public double tMax() {
        return 1;
    }
}
