package io.diffusion4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.NoiseLevel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiffusionObjectiveTest {
    private static DiffusionObjective objective(Prediction p, LossWeighting w, double pUncond) {
        return new DiffusionObjective(new DiffusionObjective.Config(DiscreteVp.Config.DEFAULT, p, w, 5.0, pUncond, 10));
    }

    /** For every prediction type: x_t = α·x₀ + σ·ε per row, and the target is ε, x₀ or α·ε − σ·x₀ of that row. */
    @Test
    void targetsFollowThePredictionType() {
        int n = 16;
        int d = 12;
        for (Prediction p : new Prediction[] {Prediction.EPSILON, Prediction.SAMPLE, Prediction.V}) {
            try (NDManager m = NDManager.newBaseManager()) {
                DiffusionObjective obj = objective(p, LossWeighting.UNIFORM, 0.0);
                NDArray x0 = m.randomUniform(-1, 1, new Shape(n, 1, 3, 4));
                TrainingBatch b = obj.prepare(x0, m.create(new long[n]), 42, 7);
                float[] x = x0.toFloatArray();
                float[] xt = b.input().toFloatArray();
                float[] target = b.target().toFloatArray();
                float[] t = b.t().toFloatArray();
                for (int r = 0; r < n; r++) {
                    NoiseLevel level = obj.schedule().level(t[r]);
                    assertEquals(obj.timestep(42, 7, r), (int) t[r]);
                    for (int i = 0; i < d; i++) {
                        double x0v = x[r * d + i];
                        double eps = (xt[r * d + i] - level.alpha() * x0v) / level.sigma();
                        double expected = switch (p) {
                            case EPSILON -> eps;
                            case SAMPLE -> x0v;
                            case V -> level.alpha() * eps - level.sigma() * x0v;
                            default -> throw new AssertionError();
                        };
                        assertEquals(expected, target[r * d + i], 2e-3 * Math.max(1, 1 / level.sigma() * 1e-2), p + " row " + r);
                    }
                }
            }
        }
    }

    @Test
    void drawsDependOnlyOnSeedAndStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            DiffusionObjective obj = objective(Prediction.EPSILON, LossWeighting.MIN_SNR, 0.5);
            NDArray x0 = m.zeros(new Shape(8, 1, 2, 2));
            NDArray labels = m.create(new long[] {0, 1, 2, 3, 4, 5, 6, 7});
            TrainingBatch a = obj.prepare(x0, labels, 1, 5);
            TrainingBatch b = obj.prepare(x0, labels, 1, 5);
            TrainingBatch c = obj.prepare(x0, labels, 1, 6);
            assertTrue(a.input().contentEquals(b.input()));
            assertTrue(a.labels().contentEquals(b.labels()));
            assertFalse(a.input().contentEquals(c.input()));
        }
    }

    @Test
    void labelDropoutUsesTheNullLabelAtTheRequestedRate() {
        try (NDManager m = NDManager.newBaseManager()) {
            DiffusionObjective obj = objective(Prediction.EPSILON, LossWeighting.UNIFORM, 0.1);
            int n = 4000;
            long[] l = new long[n];
            for (int i = 0; i < n; i++) {
                l[i] = i % 10;
            }
            long[] out = obj.prepare(m.zeros(new Shape(n, 1, 1, 1)), m.create(l), 3, 0).labels().toLongArray();
            int dropped = 0;
            for (int i = 0; i < n; i++) {
                if (out[i] == 10) {
                    dropped++;
                } else {
                    assertEquals(l[i], out[i]);
                }
            }
            assertEquals(0.1, dropped / (double) n, 0.015);   // 3 standard deviations at n = 4000
        }
    }

    @Test
    void timestepsCoverTheWholeRangeUniformly() {
        DiffusionObjective obj = objective(Prediction.EPSILON, LossWeighting.UNIFORM, 0.0);
        int[] counts = new int[10];
        for (int r = 0; r < 20_000; r++) {
            int t = obj.timestep(9, r / 100, r % 100);
            assertTrue(t >= 0 && t < 1000);
            counts[t / 100]++;
        }
        for (int c : counts) {
            assertEquals(2000, c, 150);
        }
    }

    @Test
    void flowPredictionIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> objective(Prediction.VELOCITY, LossWeighting.UNIFORM, 0.1));
    }

    /** Min-SNR-γ weights (Hang et al. 2023, eq. 5) from the SNR by hand, γ = 5. */
    @Test
    void minSnrWeights() {
        DiscreteVp vp = DiscreteVp.defaults();
        for (int t : new int[] {0, 10, 50, 100, 300, 999}) {
            double snr = vp.level(t).snr();
            double min = Math.min(snr, 5);
            assertEquals(min / snr, LossWeighting.MIN_SNR.weight(Prediction.EPSILON, vp, t, 5), 1e-12);
            assertEquals(min / (snr + 1), LossWeighting.MIN_SNR.weight(Prediction.V, vp, t, 5), 1e-12);
            assertEquals(min, LossWeighting.MIN_SNR.weight(Prediction.SAMPLE, vp, t, 5), 1e-12);
            assertEquals(1.0, LossWeighting.UNIFORM.weight(Prediction.V, vp, t, 5));
        }
        // Low t has SNR >> 5: the ε weight is 5/SNR < 1; high t has SNR < 5: weight 1.
        assertTrue(LossWeighting.MIN_SNR.weight(Prediction.EPSILON, vp, 0, 5) < 1e-3);
        assertEquals(1.0, LossWeighting.MIN_SNR.weight(Prediction.EPSILON, vp, 999, 5));
        // Zero terminal SNR: ε weight takes its limit 1, v weight 0, x0 weight 0 (no division by zero).
        DiscreteVp zero = new DiscreteVp(DiscreteVp.Config.DEFAULT.withZeroTerminalSnr(true));
        assertEquals(0.0, zero.level(999).snr());
        assertEquals(1.0, LossWeighting.MIN_SNR.weight(Prediction.EPSILON, zero, 999, 5));
        assertEquals(0.0, LossWeighting.MIN_SNR.weight(Prediction.V, zero, 999, 5));
        assertEquals(0.0, LossWeighting.MIN_SNR.weight(Prediction.SAMPLE, zero, 999, 5));
    }

    @Test
    void vlbWeightsConvertBetweenTargets() {
        DiscreteVp vp = DiscreteVp.defaults();
        int t = 400;
        double snr = vp.level(t).snr();
        double eps = LossWeighting.VLB.weight(Prediction.EPSILON, vp, t, 5);
        assertEquals(vp.vlbWeight(t), eps, 0);
        assertEquals(eps * snr, LossWeighting.VLB.weight(Prediction.SAMPLE, vp, t, 5), 1e-15);
        assertEquals(eps * snr / (snr + 1), LossWeighting.VLB.weight(Prediction.V, vp, t, 5), 1e-15);
    }

    @Test
    void learningRateWarmsUpThenFollowsACosine() {
        TrainConfig c = TrainConfig.FASHION_MNIST.withSteps(1500).withWarmup(500);
        assertEquals(2e-4 / 500, c.lr(0), 1e-18);
        assertEquals(2e-4, c.lr(499), 1e-18);
        assertEquals(2e-4, c.lr(500), 1e-18);
        assertEquals(1e-4, c.lr(1000), 1e-12);
        assertEquals(0.0, c.lr(1500), 1e-18);
        assertArrayEquals(new double[] {0.1, 2.0 / 11}, new double[] {c.emaDecay(0), c.emaDecay(1)}, 1e-15);
        assertEquals(0.9999, c.emaDecay(1_000_000));
    }
}
