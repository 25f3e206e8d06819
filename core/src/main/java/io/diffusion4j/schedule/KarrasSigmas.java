package io.diffusion4j.schedule;

import io.diffusion4j.util.Check;

/**
 * The variance-exploding process of EDM (Karras et al. 2022): x = x₀ + σ·ε, so α = 1 and σ(t) = t;
 * the schedule time t is σ itself, in [σ_min, σ_max]. {@link #sigmas} gives the ρ-spaced sampling
 * levels of Karras et al. eq. 5.
 *
 * @param sigmaMin smallest σ, &gt; 0
 * @param sigmaMax largest σ, &gt; sigmaMin
 * @param rho ramp exponent ρ (7 in the paper)
 */
public record KarrasSigmas(double sigmaMin, double sigmaMax, double rho) implements NoiseSchedule {
    /** EDM's defaults: σ ∈ [0.002, 80], ρ = 7. */
    public static final KarrasSigmas EDM = new KarrasSigmas(0.002, 80.0, 7.0);

    public KarrasSigmas {
        Check.positive(sigmaMin, "sigma_min");
        Check.positive(sigmaMax, "sigma_max");
        Check.positive(rho, "rho");
        if (!(sigmaMax > sigmaMin)) {
            throw new IllegalArgumentException("sigma_max must be > sigma_min, got sigma_min=" + sigmaMin + ", sigma_max=" + sigmaMax);
        }
    }

    @Override
    public double alpha(double t) {
        checkTime(t);
        return 1.0;
    }

    @Override
    public double sigma(double t) {
        return checkTime(t);
    }

    /** t = σ (0 gives the clean level). */
    @Override
    public NoiseLevel atVeSigma(double veSigma) {
        Check.nonNegative(veSigma, "sigma");
        return new NoiseLevel(veSigma, 1.0, veSigma);
    }

    @Override
    public double tMin() {
        return sigmaMin;
    }

    @Override
    public double tMax() {
        return sigmaMax;
    }

    /** The n levels σ_i = (σ_max^{1/ρ} + i/(n−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ, i = 0 … n−1, decreasing. */
    public double[] sigmas(int n) {
        return ramp(sigmaMin, sigmaMax, rho, n);
    }

    /** Karras et al. 2022 eq. 5 between any two levels; n = 1 gives {σ_max}. */
    public static double[] ramp(double sigmaMin, double sigmaMax, double rho, int n) {
        Check.positive(n, "steps");
        double[] out = new double[n];
        double hi = Math.pow(sigmaMax, 1 / rho);
        double lo = Math.pow(sigmaMin, 1 / rho);
        for (int i = 0; i < n; i++) {
            double r = n == 1 ? 0 : (double) i / (n - 1);
            out[i] = Math.pow(hi + r * (lo - hi), rho);
        }
        return out;
    }
}
