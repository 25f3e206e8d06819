package io.diffusion4j.schedule;

import io.diffusion4j.util.Check;

import java.math.BigDecimal;
import java.util.Arrays;

/**
 * A discrete variance-preserving process (DDPM, Ho et al. 2020): β_0 … β_{T−1}, ᾱ_t = ∏_{s≤t}(1 − β_s),
 * α = √ᾱ, σ = √(1 − ᾱ), with diffusers' indexing t ∈ {0, …, T−1}.
 *
 * <p>Fractional t (used by diffusers' Euler and Heun schedulers and by Karras σ on VP models)
 * interpolates the variance-exploding table σ_ve(t) = √((1 − ᾱ_t)/ᾱ_t) linearly, as diffusers'
 * {@code EulerDiscreteScheduler} does, and returns α = 1/√(1 + σ_ve²), σ = σ_ve·α. At integer t
 * this is exactly √ᾱ_t and √(1 − ᾱ_t).
 *
 * <p>All tables are computed once in double; with {@link TablePrecision#FLOAT32} (the default) their
 * rounding follows diffusers so the same configuration gives the same numbers.
 */
public final class DiscreteVp implements NoiseSchedule {
    /** The ᾱ diffusers' σ-space schedulers use in place of a zero terminal ᾱ: 2⁻²⁴. */
    public static final double ZERO_SNR_ALPHA_BAR = 0x1.0p-24;
    private final Config config;
    private final double[] betas;
    private final double[] alphaBars;
    private final double[] veSigmas;

    /**
     * Configuration of a discrete VP process; field names follow diffusers' scheduler config.
     *
     * @param trainSteps T ({@code num_train_timesteps}), ≥ 2
     * @param betaSchedule {@code beta_schedule}
     * @param betaStart {@code beta_start}, in (0, 1)
     * @param betaEnd {@code beta_end}, in (0, 1)
     * @param rescaleZeroTerminalSnr {@code rescale_betas_zero_snr}: Lin et al. 2023, Alg. 1
     * @param precision arithmetic of the tables
     */
    public record Config(int trainSteps, BetaSchedule betaSchedule, double betaStart, double betaEnd,
                         boolean rescaleZeroTerminalSnr, TablePrecision precision) {
        /** diffusers' DDPM/DDIM defaults: T = 1000, linear β from 1e-4 to 0.02. */
        public static final Config DEFAULT = new Config(1000, BetaSchedule.LINEAR, 1e-4, 0.02, false, TablePrecision.FLOAT32);

        public Config {
            Check.inRange(trainSteps, 2, 1_000_000, "num_train_timesteps");
            Check.oneOf(betaSchedule, BetaSchedule.values(), "beta_schedule");
            Check.oneOf(precision, TablePrecision.values(), "precision");
            Check.inRange(betaStart, Double.MIN_VALUE, 0.999999, "beta_start");
            Check.inRange(betaEnd, Double.MIN_VALUE, 0.999999, "beta_end");
        }

        /** The same configuration with another {@code beta_schedule}. */
        public Config withBetaSchedule(BetaSchedule b) {
            return new Config(trainSteps, b, betaStart, betaEnd, rescaleZeroTerminalSnr, precision);
        }

        /** The same configuration with T = {@code t} ({@code num_train_timesteps}). */
        public Config withTrainSteps(int t) {
            return new Config(t, betaSchedule, betaStart, betaEnd, rescaleZeroTerminalSnr, precision);
        }

        /** The same configuration with {@code beta_start} and {@code beta_end}. */
        public Config withBetas(double start, double end) {
            return new Config(trainSteps, betaSchedule, start, end, rescaleZeroTerminalSnr, precision);
        }

        /** The same configuration with {@code rescale_betas_zero_snr} on or off. */
        public Config withZeroTerminalSnr(boolean on) {
            return new Config(trainSteps, betaSchedule, betaStart, betaEnd, on, precision);
        }

        /** The same configuration with the given table arithmetic. */
        public Config withPrecision(TablePrecision p) {
            return new Config(trainSteps, betaSchedule, betaStart, betaEnd, rescaleZeroTerminalSnr, p);
        }

        /**
         * The table as the fields of a diffusers scheduler config, ready to paste into one: {@code
         * "num_train_timesteps": 1000, "beta_schedule": "linear", "beta_start": 0.0001, "beta_end": 0.02}
         * (and {@code "rescale_betas_zero_snr": true} when set). The precision is not a diffusers field.
         */
        public String diffusersFields() {
            return "\"num_train_timesteps\": " + trainSteps + ", \"beta_schedule\": \"" + betaSchedule.diffusersName()
                    + "\", \"beta_start\": " + plain(betaStart) + ", \"beta_end\": " + plain(betaEnd)
                    + (rescaleZeroTerminalSnr ? ", \"rescale_betas_zero_snr\": true" : "");
        }

        private static String plain(double v) {
            return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
        }
    }

    /** The process of a configuration. */
    public DiscreteVp(Config config) {
        this.config = Check.notNull(config, "config");
        boolean f32 = config.precision() == TablePrecision.FLOAT32;
        double[] b = config.betaSchedule().betas(config.trainSteps(), config.betaStart(), config.betaEnd(), f32);
        if (config.rescaleZeroTerminalSnr()) {
            b = rescaleZeroTerminalSnr(b, f32);
        }
        this.betas = b;
        this.alphaBars = cumulativeAlphaBars(b, f32);
        this.veSigmas = new double[alphaBars.length];
        for (int i = 0; i < alphaBars.length; i++) {
            // A zero terminal SNR has σ_ve = ∞; diffusers' σ-space schedulers (Euler, Heun, DPM-Solver)
            // set that ᾱ to 2⁻²⁴ (σ_ve ≈ 4096), and so does this table. ᾱ itself stays exact for DDIM/DDPM.
            double ab = alphaBars[i] == 0 ? ZERO_SNR_ALPHA_BAR : alphaBars[i];
            veSigmas[i] = Math.sqrt((1 - ab) / ab);
        }
    }

    /** diffusers' default process (T = 1000, linear β 1e-4 … 0.02). */
    public static DiscreteVp defaults() {
        return new DiscreteVp(Config.DEFAULT);
    }

    /** A process with the given schedule and otherwise default settings. */
    public static DiscreteVp of(BetaSchedule schedule, int trainSteps, double betaStart, double betaEnd) {
        return new DiscreteVp(Config.DEFAULT.withBetaSchedule(schedule).withTrainSteps(trainSteps).withBetas(betaStart, betaEnd));
    }

    /** The configuration. */
    public Config config() {
        return config;
    }

    /** T, the number of training timesteps. */
    public int trainSteps() {
        return betas.length;
    }

    /** β_t. */
    public double beta(int t) {
        return betas[index(t)];
    }

    /** Per-step α_t = 1 − β_t (not to be confused with the signal scale {@link #alpha}). */
    public double stepAlpha(int t) {
        return 1.0 - beta(t);
    }

    /** ᾱ_t = ∏_{s≤t} (1 − β_s). */
    public double alphaBar(int t) {
        return alphaBars[index(t)];
    }

    /** A copy of the ᾱ table. */
    public double[] alphaBars() {
        return alphaBars.clone();
    }

    /** A copy of the β table. */
    public double[] betas() {
        return betas.clone();
    }

    /** A copy of the k-diffusion σ table √((1 − ᾱ)/ᾱ), increasing in t (a zero ᾱ counts as 2⁻²⁴). */
    public double[] veSigmas() {
        return veSigmas.clone();
    }

    @Override
    public double alpha(double t) {
        checkTime(t);
        if (t == Math.rint(t)) {
            return Math.sqrt(alphaBars[(int) t]);
        }
        return 1.0 / Math.sqrt(1.0 + square(veSigma(t)));
    }

    @Override
    public double sigma(double t) {
        checkTime(t);
        if (t == Math.rint(t)) {
            return Math.sqrt(1.0 - alphaBars[(int) t]);
        }
        double s = veSigma(t);
        return s / Math.sqrt(1.0 + s * s);
    }

    /** σ_ve(t) = √((1 − ᾱ)/ᾱ), linearly interpolated between integer t (diffusers' Euler). */
    public double veSigma(double t) {
        checkTime(t);
        int lo = (int) Math.floor(t);
        int hi = Math.min(lo + 1, veSigmas.length - 1);
        double w = t - lo;
        return (1 - w) * veSigmas[lo] + w * veSigmas[hi];
    }

    /**
     * The fractional t whose σ_ve is {@code veSigma}, by interpolation of log σ_ve over integer t
     * (diffusers' {@code _sigma_to_t}); clamped to [0, T−1].
     */
    public double timeOfVeSigma(double veSigma) {
        Check.positive(veSigma, "sigma");
        double ls = Math.log(veSigma);
        int n = veSigmas.length;
        if (ls <= Math.log(veSigmas[0])) {
            return 0;
        }
        if (ls >= Math.log(veSigmas[n - 1])) {
            return n - 1;
        }
        int lo = 0;
        while (lo < n - 2 && Math.log(veSigmas[lo + 1]) <= ls) {
            lo++;
        }
        double low = Math.log(veSigmas[lo]);
        double high = Math.log(veSigmas[lo + 1]);
        double w = Math.min(Math.max((low - ls) / (low - high), 0), 1);
        return (1 - w) * lo + w * (lo + 1);
    }

    /** t by log-σ interpolation of the table ({@link #timeOfVeSigma}); α, σ from veSigma itself. */
    @Override
    public NoiseLevel atVeSigma(double veSigma) {
        Check.nonNegative(veSigma, "sigma");
        return veSigma == 0 ? NoiseLevel.clean(0) : NoiseLevel.ofVeSigma(timeOfVeSigma(veSigma), veSigma, true);
    }

    @Override
    public double tMin() {
        return 0;
    }

    @Override
    public double tMax() {
        return betas.length - 1;
    }

    /** ᾱ at the step before t: ᾱ_{t−1}, or 1 at t = 0 (the clean data). */
    public double alphaBarPrev(int t) {
        return t == 0 ? 1.0 : alphaBar(t - 1);
    }

    /**
     * Posterior q(x_{t−1} | x_t, x₀) mean coefficients (Ho et al. 2020, eq. 7): mean = c₀·x₀ + c_t·x_t with
     * c₀ = √ᾱ_{t−1}·β_t/(1 − ᾱ_t) and c_t = √α_t·(1 − ᾱ_{t−1})/(1 − ᾱ_t).
     *
     * @return {c₀, c_t}
     */
    public double[] posteriorMeanCoefficients(int t) {
        double abPrev = alphaBarPrev(t);
        double ab = alphaBar(t);
        double beta = beta(t);
        return new double[] {Math.sqrt(abPrev) * beta / (1 - ab), Math.sqrt(1 - beta) * (1 - abPrev) / (1 - ab)};
    }

    /** Posterior variance β̃_t = (1 − ᾱ_{t−1})/(1 − ᾱ_t)·β_t (Ho et al. 2020, eq. 7); 0 at t = 0. */
    public double posteriorVariance(int t) {
        return (1 - alphaBarPrev(t)) / (1 - alphaBar(t)) * beta(t);
    }

    /**
     * The VLB weight λ_t of the ε-loss term L_{t−1} = λ_t·‖ε − ε̂‖² (Ho et al. 2020, eq. 12) with the
     * reverse variance β̃_t: λ_t = β_t² / (2·β̃_t·α_t·(1 − ᾱ_t)). β̃_0 = 0, so t = 0 uses β̃_1 (the clipped
     * log-variance of Nichol &amp; Dhariwal 2021).
     */
    public double vlbWeight(int t) {
        double var = t == 0 ? posteriorVariance(1) : posteriorVariance(t);
        double beta = beta(t);
        return beta * beta / (2 * var * (1 - beta) * (1 - alphaBar(t)));
    }

    private int index(int t) {
        if (t < 0 || t >= betas.length) {
            throw new IllegalArgumentException("timestep must be in [0, " + (betas.length - 1) + "], got " + t);
        }
        return t;
    }

    private static double square(double v) {
        return v * v;
    }

    /** ᾱ = cumprod(1 − β); in FLOAT32 mode torch's float32 cumprod (double accumulator, float32 outputs). */
    static double[] cumulativeAlphaBars(double[] betas, boolean float32) {
        double[] ab = new double[betas.length];
        double acc = 1.0;
        for (int i = 0; i < betas.length; i++) {
            double a = float32 ? (float) (1.0f - (float) betas[i]) : 1.0 - betas[i];
            acc *= a;
            ab[i] = float32 ? (float) acc : acc;
        }
        return ab;
    }

    /**
     * Lin et al. 2023 (Common Diffusion Noise Schedules and Sample Steps are Flawed), Alg. 1: shift and
     * scale √ᾱ so that √ᾱ_{T−1} = 0 and √ᾱ_0 is unchanged, then recover β (diffusers
     * {@code rescale_zero_terminal_snr}).
     */
    static double[] rescaleZeroTerminalSnr(double[] betas, boolean float32) {
        double[] ab = cumulativeAlphaBars(betas, float32);
        int n = ab.length;
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = Math.sqrt(ab[i]);
        }
        double first = s[0];
        double last = s[n - 1];
        double[] out = new double[n];
        double prevAb = 1.0;
        for (int i = 0; i < n; i++) {
            double si = (s[i] - last) * first / (first - last);
            double abi = si * si;
            out[i] = 1.0 - abi / prevAb;
            if (float32) {
                out[i] = (float) out[i];
            }
            prevAb = abi;
        }
        return out;
    }

    @Override
    public String toString() {
        return "DiscreteVp" + config + " betas[0]=" + betas[0] + " alphaBar[T-1]=" + alphaBars[alphaBars.length - 1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DiscreteVp d && d.config.equals(config) && Arrays.equals(d.betas, betas);
    }

    @Override
    public int hashCode() {
        return config.hashCode();
    }
}
