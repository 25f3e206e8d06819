package io.diffusion4j.train;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.nn.SeedMix;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.RectifiedFlow;
import io.diffusion4j.util.Check;

/**
 * The rectified-flow / flow-matching objective (Liu et al. 2022; Lipman et al. 2022): t ∈ [0, 1] drawn from
 * {@link TimeSampling}, ε ~ N(0, I), x_t = (1 − t)·x₀ + t·ε and the velocity target u = ε − x₀
 * ({@link Prediction#VELOCITY}), every row weighted 1; labels are replaced by the null label with
 * probability {@code pUncond} for classifier-free guidance (Ho &amp; Salimans 2022). Sample the trained
 * network on a {@link RectifiedFlow} plan (flow-euler, flow-heun).
 *
 * <p>Draws depend on (seed, step) only, through the same streams as {@link DiffusionObjective}: the time
 * of row r at step s from the time stream of (seed, s) — its r-th uniform, or for the logit-normal the
 * first normal of image r of a {@link NoiseSource} on that stream — the dropout coin and ε likewise.
 */
public final class FlowObjective implements Objective {
    private static final RectifiedFlow FLOW = new RectifiedFlow();
    private final Config config;

    /** How t is drawn. */
    public enum TimeSampling {
        /** t ~ U[0, 1) (Liu et al. 2022). */
        UNIFORM,
        /**
         * t = sigmoid(m + s·z), z ~ N(0, 1): the logit-normal of Esser et al. 2024 (§3.1, "lognorm(m, s)"; m = 0,
         * s = 1 in their final model), which spends more steps at intermediate t, where the velocity is hardest
         * to predict.
         */
        LOGIT_NORMAL
    }

    /**
     * Settings of the objective.
     *
     * @param timeSampling how t is drawn
     * @param logitMean m of the logit-normal (any finite value; ignored when uniform)
     * @param logitStd s &gt; 0 of the logit-normal (ignored when uniform)
     * @param pUncond label dropout probability in [0, 1]
     * @param numClasses K (null label = K), or 0 when unconditional
     */
    public record Config(TimeSampling timeSampling, double logitMean, double logitStd, double pUncond, int numClasses) {
        public Config {
            Check.oneOf(timeSampling, TimeSampling.values(), "time sampling");
            Check.finite(logitMean, "logit-normal mean");
            Check.positive(logitStd, "logit-normal standard deviation");
            Check.inRange(pUncond, 0.0, 1.0, "p_uncond");
            Check.nonNegative(numClasses, "numClasses");
        }

        /** Uniform t. */
        public static Config uniform(double pUncond, int numClasses) {
            return new Config(TimeSampling.UNIFORM, 0, 1, pUncond, numClasses);
        }

        /** Logit-normal(m, s) t. */
        public static Config logitNormal(double m, double s, double pUncond, int numClasses) {
            return new Config(TimeSampling.LOGIT_NORMAL, m, s, pUncond, numClasses);
        }
    }

    /** The objective of a configuration. */
    public FlowObjective(Config config) {
        this.config = Check.notNull(config, "config");
    }

    /** The configuration. */
    public Config config() {
        return config;
    }

    /** The noise process: rectified flow, α = 1 − t, σ = t (no shift: a shift applies to sampling plans). */
    public RectifiedFlow schedule() {
        return FLOW;
    }

    /** What the network learns to predict: the velocity ε − x₀. */
    public Prediction prediction() {
        return Prediction.VELOCITY;
    }

    /** The time t ∈ [0, 1] of row r at step s. */
    public double time(long seed, long step, int row) {
        long stream = ObjectiveDraws.stream(seed, ObjectiveDraws.TIME, step);
        if (config.timeSampling() == TimeSampling.UNIFORM) {
            return SeedMix.uniform(stream, row);
        }
        float[] z = new float[1];
        new NoiseSource(stream).fill(z, 0, 1, row, 0);
        return 1 / (1 + StrictMath.exp(-(config.logitMean() + config.logitStd() * z[0])));
    }

    /** Whether row r's label is dropped at step s. */
    public boolean dropsLabel(long seed, long step, int row) {
        return ObjectiveDraws.dropsLabel(seed, step, row, config.pUncond());
    }

    @Override
    public TrainingBatch prepare(NDArray x0, NDArray labels, long seed, long step) {
        return ObjectiveDraws.prepare(x0, labels, seed, step, r -> FLOW.level(time(seed, step, r)), level -> 1.0,
                Prediction.VELOCITY, config.pUncond(), config.numClasses());
    }
}
