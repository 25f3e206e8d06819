package io.diffusion4j.train;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.nn.SeedMix;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.util.Check;

/**
 * The denoising objective of a discrete VP process (Ho et al. 2020, Alg. 1): t ~ U{0, …, T−1},
 * ε ~ N(0, I), x_t = α_t·x₀ + σ_t·ε, target from {@link Prediction#target} (ε, x₀ or v), weight from
 * {@link LossWeighting}; labels are replaced by the null label with probability {@code pUncond} so
 * one network learns the conditional and the unconditional model (Ho &amp; Salimans 2022).
 *
 * <p>Draws of row r at step s are those of {@code ObjectiveDraws} (t ~ U{0, …, T−1} from its time stream),
 * so everything depends on (seed, step) only. x₀ may have any shape (N, …).
 */
public final class DiffusionObjective implements Objective {
    private final Config config;
    private final DiscreteVp vp;

    /**
     * Settings of the objective.
     *
     * @param schedule the noise process
     * @param prediction target regressed: EPSILON, SAMPLE or V
     * @param weighting loss weights per timestep
     * @param snrGamma γ of Min-SNR-γ (5 in Hang et al. 2023)
     * @param pUncond label dropout probability in [0, 1]
     * @param numClasses K (null label = K), or 0 when unconditional
     */
    public record Config(DiscreteVp.Config schedule, Prediction prediction, LossWeighting weighting, double snrGamma,
                         double pUncond, int numClasses) {
        public Config {
            Check.notNull(schedule, "schedule");
            Check.oneOf(prediction, Prediction.values(), "prediction");
            if (prediction == Prediction.VELOCITY) {
                throw new IllegalArgumentException("the diffusion objective regresses epsilon, sample or v_prediction; got flow_prediction");
            }
            Check.oneOf(weighting, LossWeighting.values(), "weighting");
            Check.positive(snrGamma, "snr gamma");
            Check.inRange(pUncond, 0.0, 1.0, "p_uncond");
            Check.nonNegative(numClasses, "numClasses");
        }
    }

    /** The objective of a configuration. */
    public DiffusionObjective(Config config) {
        this.config = Check.notNull(config, "config");
        this.vp = new DiscreteVp(config.schedule());
    }

    /** The configuration. */
    public Config config() {
        return config;
    }

    /** The noise process. */
    public DiscreteVp schedule() {
        return vp;
    }

    /** The timestep of row r at step s. */
    public int timestep(long seed, long step, int row) {
        return SeedMix.uniformInt(ObjectiveDraws.stream(seed, ObjectiveDraws.TIME, step), row, vp.trainSteps());
    }

    /** Whether row r's label is dropped at step s. */
    public boolean dropsLabel(long seed, long step, int row) {
        return ObjectiveDraws.dropsLabel(seed, step, row, config.pUncond());
    }

    @Override
    public TrainingBatch prepare(NDArray x0, NDArray labels, long seed, long step) {
        return ObjectiveDraws.prepare(x0, labels, seed, step, r -> vp.level(timestep(seed, step, r)),
                level -> config.weighting().weight(config.prediction(), vp, (int) level.t(), config.snrGamma()),
                config.prediction(), config.pUncond(), config.numClasses());
    }
}
