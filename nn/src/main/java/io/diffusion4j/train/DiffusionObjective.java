package io.diffusion4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.nn.SeedMix;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.util.Check;

/**
 * The denoising objective of a discrete VP process (Ho et al. 2020, Alg. 1): t ~ U{0, …, T−1},
 * ε ~ N(0, I), x_t = α_t·x₀ + σ_t·ε, target from {@link Prediction#target} (ε, x₀ or v), weight from
 * {@link LossWeighting}; labels are replaced by the null label with probability {@code pUncond} so
 * one network learns the conditional and the unconditional model (Ho &amp; Salimans 2022).
 *
 * <p>Draws of row r at step s: t and the dropout coin from counter streams seeded by (seed, s), ε
 * from {@link NoiseSource} with image index s·N + r, so everything depends on (seed, step) only.
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
        return SeedMix.uniformInt(SeedMix.derive(SeedMix.derive(seed, 0x71), step), row, vp.trainSteps());
    }

    /** Whether row r's label is dropped at step s. */
    public boolean dropsLabel(long seed, long step, int row) {
        return SeedMix.uniform(SeedMix.derive(SeedMix.derive(seed, 0xd0), step), row) < config.pUncond();
    }

    @Override
    public TrainingBatch prepare(NDArray x0, NDArray labels, long seed, long step) {
        NDManager m = x0.getManager();
        Shape shape = x0.getShape();
        int n = Math.toIntExact(shape.get(0));
        Shape perImage = shape.slice(1);
        NDArray eps = new NoiseSource(SeedMix.derive(seed, 0xe5)).normal(m, perImage, NoiseSource.range(step * n, n), 0);
        float[] t = new float[n];
        float[] alpha = new float[n];
        float[] sigma = new float[n];
        float[] weight = new float[n];
        NDList targets = new NDList(n);
        for (int r = 0; r < n; r++) {
            int tr = timestep(seed, step, r);
            NoiseLevel level = vp.level(tr);
            t[r] = tr;
            alpha[r] = (float) level.alpha();
            sigma[r] = (float) level.sigma();
            weight[r] = (float) config.weighting().weight(config.prediction(), vp, tr, config.snrGamma());
            targets.add(config.prediction().target(x0.get(r), eps.get(r), level));
        }
        Shape column = new Shape(n, 1, 1, 1);
        NDArray xt = x0.mul(m.create(alpha, column)).add(eps.mul(m.create(sigma, column)));
        NDArray target = NDArrays.stack(targets);
        return new TrainingBatch(xt, m.create(t), dropLabels(labels, seed, step), target, m.create(weight));
    }

    private NDArray dropLabels(NDArray labels, long seed, long step) {
        if (labels == null) {
            return null;
        }
        if (config.numClasses() == 0) {
            throw new IllegalArgumentException("labels given to an unconditional objective (numClasses = 0)");
        }
        long[] l = labels.toType(DataType.INT64, false).toLongArray();
        for (int r = 0; r < l.length; r++) {
            if (dropsLabel(seed, step, r)) {
                l[r] = config.numClasses();
            }
        }
        return labels.getManager().create(l);
    }
}
