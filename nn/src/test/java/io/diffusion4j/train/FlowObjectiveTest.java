package io.diffusion4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.schedule.DiscreteVp;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowObjectiveTest {
    private static final int DRAWS = 20_000;

    /** x_t = (1 − t)·x₀ + t·ε and target ε − x₀ per row, for tabular and image shapes; ε is the diffusion objective's ε. */
    @Test
    void inputsAndVelocityTargets() {
        FlowObjective flow = new FlowObjective(FlowObjective.Config.uniform(0, 0));
        DiffusionObjective eps = new DiffusionObjective(new DiffusionObjective.Config(DiscreteVp.Config.DEFAULT, Prediction.EPSILON,
                LossWeighting.UNIFORM, 5, 0, 0));
        for (Shape shape : new Shape[] {new Shape(16, 3), new Shape(16, 1, 2, 2)}) {
            try (NDManager m = NDManager.newBaseManager()) {
                int n = 16;
                int d = (int) (shape.size() / n);
                NDArray x0 = m.randomUniform(-1, 1, shape);
                TrainingBatch b = flow.prepare(x0, null, 42, 7);
                assertEquals(shape, b.input().getShape());
                assertEquals(shape, b.target().getShape());
                assertNull(b.labels());
                float[] x = x0.toFloatArray();
                float[] xt = b.input().toFloatArray();
                float[] u = b.target().toFloatArray();
                float[] e = eps.prepare(x0, null, 42, 7).target().toFloatArray();
                float[] t = b.t().toFloatArray();
                for (int r = 0; r < n; r++) {
                    double tr = flow.time(42, 7, r);
                    assertEquals((float) tr, t[r]);
                    assertEquals(1f, b.weight().getFloat(r));
                    for (int i = 0; i < d; i++) {
                        int k = r * d + i;
                        assertEquals(e[k] - x[k], u[k], 1e-6, "velocity row " + r);
                        assertEquals((1 - tr) * x[k] + tr * e[k], xt[k], 1e-5, "x_t row " + r);
                    }
                }
            }
        }
    }

    @Test
    void drawsDependOnlyOnSeedAndStep() {
        FlowObjective obj = new FlowObjective(FlowObjective.Config.logitNormal(0, 1, 0.5, 8));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = m.zeros(new Shape(8, 2));
            NDArray labels = m.create(new long[] {0, 1, 2, 3, 4, 5, 6, 7});
            TrainingBatch a = obj.prepare(x0, labels, 1, 5);
            TrainingBatch b = obj.prepare(x0, labels, 1, 5);
            TrainingBatch c = obj.prepare(x0, labels, 1, 6);
            TrainingBatch other = obj.prepare(x0, labels, 2, 5);
            assertTrue(a.input().contentEquals(b.input()) && a.t().contentEquals(b.t()) && a.labels().contentEquals(b.labels()));
            assertFalse(a.input().contentEquals(c.input()));
            assertFalse(a.t().contentEquals(c.t()));
            assertFalse(a.t().contentEquals(other.t()));
        }
    }

    /** Logit-normal(m, s): quantile q of t is sigmoid(m + s·Φ⁻¹(q)); the mean is E[sigmoid(m + sZ)] by quadrature. */
    @Test
    void logitNormalTimes() {
        double mu = 0.5;
        double s = 0.8;
        double[] t = times(new FlowObjective(FlowObjective.Config.logitNormal(mu, s, 0, 0)));
        double z25 = -0.6744897501960817;   // Φ⁻¹(0.25)
        assertEquals(sigmoid(mu + s * z25), quantile(t, 0.25), 0.008);
        assertEquals(sigmoid(mu), quantile(t, 0.5), 0.008);
        assertEquals(sigmoid(mu - s * z25), quantile(t, 0.75), 0.008);
        double mean = 0;
        for (int k = -8000; k <= 8000; k++) {   // ∫ sigmoid(m + s z) φ(z) dz, midpoint rule on [−8, 8]
            double z = k * 1e-3;
            mean += sigmoid(mu + s * z) * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI) * 1e-3;
        }
        assertEquals(mean, Arrays.stream(t).average().orElseThrow(), 0.005);   // ≈ 4 standard errors
        assertTrue(Arrays.stream(t).allMatch(v -> v > 0 && v < 1));
    }

    @Test
    void uniformTimes() {
        double[] t = times(new FlowObjective(FlowObjective.Config.uniform(0, 0)));
        assertEquals(0.5, Arrays.stream(t).average().orElseThrow(), 0.006);
        assertEquals(0.25, quantile(t, 0.25), 0.01);
        assertEquals(0.75, quantile(t, 0.75), 0.01);
        assertTrue(Arrays.stream(t).allMatch(v -> v >= 0 && v < 1));
    }

    @Test
    void labelDropoutUsesTheNullLabelAtTheRequestedRate() {
        FlowObjective obj = new FlowObjective(FlowObjective.Config.uniform(0.1, 10));
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 4000;
            long[] l = new long[n];
            for (int i = 0; i < n; i++) {
                l[i] = i % 10;
            }
            long[] out = obj.prepare(m.zeros(new Shape(n, 2)), m.create(l), 3, 0).labels().toLongArray();
            int dropped = 0;
            for (int i = 0; i < n; i++) {
                if (out[i] == 10) {
                    dropped++;
                    assertTrue(obj.dropsLabel(3, 0, i));
                } else {
                    assertEquals(l[i], out[i]);
                }
            }
            assertEquals(0.1, dropped / (double) n, 0.015);   // 3 standard deviations at n = 4000
        }
    }

    @Test
    void badSettingsAndLabelsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlowObjective.Config.logitNormal(0, 0, 0.1, 0));
        assertTrue(e.getMessage().contains("logit-normal standard deviation"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FlowObjective.Config.uniform(1.5, 10));
        assertThrows(IllegalArgumentException.class, () -> FlowObjective.Config.logitNormal(Double.NaN, 1, 0, 0));
        try (NDManager m = NDManager.newBaseManager()) {
            FlowObjective unconditional = new FlowObjective(FlowObjective.Config.uniform(0.1, 0));
            e = assertThrows(IllegalArgumentException.class, () -> unconditional.prepare(m.zeros(new Shape(2, 2)), m.create(new long[] {0, 1}), 1, 0));
            assertTrue(e.getMessage().contains("unconditional objective"), e.getMessage());
        }
    }

    private static double[] times(FlowObjective obj) {
        double[] t = new double[DRAWS];
        for (int i = 0; i < DRAWS; i++) {
            t[i] = obj.time(9, i / 100, i % 100);
        }
        return t;
    }

    private static double quantile(double[] values, double q) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[(int) Math.floor(q * (s.length - 1))];
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
