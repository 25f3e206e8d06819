package io.diffusion4j.guidance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuidanceTest {
    private static final NoiseLevel LEVEL = new NoiseLevel(500, 0.6, 0.8);

    /** A toy class-conditional denoiser: ε̂ = 0.1·x + label (null label 3 → 0); it records its calls. */
    private static final class Recording implements Denoiser {
        final List<long[]> calls = new ArrayList<>();

        @Override
        public Estimate denoise(NDArray x, NoiseLevel level, Conditioning cond) {
            long[] labels = cond.labels().toLongArray();
            calls.add(labels);
            float[] xs = x.toFloatArray();
            int d = xs.length / labels.length;
            float[] eps = new float[xs.length];
            for (int i = 0; i < xs.length; i++) {
                long y = labels[i / d];
                eps[i] = 0.1f * xs[i] + (y == 3 ? 0f : y);
            }
            NDArray e = x.getManager().create(eps, x.getShape());
            return new Estimate(x.sub(e.mul(level.sigma())).div(level.alpha()), e);
        }
    }

    @Test
    void scaleOneIsExactlyTheConditionalBranchInOneCall() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            Conditioning c = Conditioning.labels(m.create(new long[] {1, 2}));
            Recording inner = new Recording();
            Estimate plain = inner.denoise(x, LEVEL, c);
            Recording guidedInner = new Recording();
            Estimate guided = new ClassifierFreeGuidance(guidedInner, 1.0, 3).denoise(x, LEVEL, c);
            assertArrayEquals(plain.eps().toFloatArray(), guided.eps().toFloatArray(), 0f);
            assertArrayEquals(plain.x0().toFloatArray(), guided.x0().toFloatArray(), 0f);
            assertEquals(1, guidedInner.calls.size());
            assertArrayEquals(new long[] {1, 2}, guidedInner.calls.get(0));
        }
    }

    @Test
    void scaleAboveOneBatchesBothBranchesInOneCall() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            Conditioning c = Conditioning.labels(m.create(new long[] {1, 2}));
            Recording inner = new Recording();
            Estimate g = new ClassifierFreeGuidance(inner, 3.0, 3).denoise(x, LEVEL, c);
            assertEquals(1, inner.calls.size(), "one batched call");
            assertArrayEquals(new long[] {1, 2, 3, 3}, inner.calls.get(0), "conditional rows then null rows");
            // by hand: ε_u = 0.1x, ε_c = 0.1x + y, ε̃ = ε_u + 3(ε_c − ε_u) = 0.1x + 3y
            float[] expected = {0.1f + 3, 0.2f + 3, 0.3f + 6, 0.4f + 6};
            assertArrayEquals(expected, g.eps().toFloatArray(), 1e-6f);
            float[] xs = {1, 2, 3, 4};
            for (int i = 0; i < 4; i++) {
                assertEquals((xs[i] - 0.8 * expected[i]) / 0.6, g.x0().toFloatArray()[i], 1e-5, "x0 follows the same affine map");
            }
        }
    }

    @Test
    void guidanceRescaleMatchesLinEtAlByHand() {
        // ε̂ = 0.1·x·(1 + y) (null label 3 → 0.1·x): branches with different spreads.
        Denoiser scaled = (xs, level, cond) -> {
            NDArray y = cond.labels().toType(DataType.FLOAT32, false);
            NDArray factor = y.eq(3f).toType(DataType.FLOAT32, false).mul(-1).add(1).mul(y).add(1).reshape(-1, 1);
            NDArray eps = xs.mul(0.1f).mul(factor);
            return new Estimate(xs.sub(eps.mul(level.sigma())).div(level.alpha()), eps);
        };
        try (NDManager m = NDManager.newBaseManager()) {
            double[] xs = {1, 2, 3, 5};
            NDArray x = m.create(new float[] {1, 2, 3, 5}, new ai.djl.ndarray.types.Shape(1, 4));
            Conditioning c = Conditioning.labels(m.create(new long[] {1}));
            Estimate g = new ClassifierFreeGuidance(scaled, 3.0, 3, 0.7, io.diffusion4j.model.Prediction.EPSILON).denoise(x, LEVEL, c);
            double[] cond = new double[4];
            double[] cfg = new double[4];
            for (int i = 0; i < 4; i++) {
                cond[i] = 0.2 * xs[i];
                cfg[i] = 0.1 * xs[i] + 3 * (0.2 * xs[i] - 0.1 * xs[i]);
            }
            double ratio = std(cond) / std(cfg);     // = 0.2/0.4
            assertEquals(0.5, ratio, 1e-12);
            for (int i = 0; i < 4; i++) {
                double expected = 0.7 * cfg[i] * ratio + 0.3 * cfg[i];
                assertEquals(expected, g.eps().toFloatArray()[i], 1e-5);
                assertEquals((xs[i] - 0.8 * expected) / 0.6, g.x0().toFloatArray()[i], 1e-5);
            }
        }
    }

    @Test
    void rescaleInVSpaceGivesTheGuidedVTheConditionalSpread() {
        Denoiser scaled = (xs, level, cond) -> {
            NDArray y = cond.labels().toType(DataType.FLOAT32, false);
            NDArray factor = y.eq(3f).toType(DataType.FLOAT32, false).mul(-1).add(1).mul(y).add(1).reshape(-1, 1);
            NDArray eps = xs.mul(0.1f).mul(factor).add(0.05f);
            return new Estimate(xs.sub(eps.mul(level.sigma())).div(level.alpha()), eps);
        };
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, -2, 3, 5}, new ai.djl.ndarray.types.Shape(1, 4));
            Conditioning c = Conditioning.labels(m.create(new long[] {2}));
            io.diffusion4j.model.Prediction v = io.diffusion4j.model.Prediction.V;
            Estimate g = new ClassifierFreeGuidance(scaled, 4.0, 3, 1.0, v).denoise(x, LEVEL, c);
            Estimate cond = scaled.denoise(x, LEVEL, c);
            double[] vg = toDoubles(v.target(g.x0(), g.eps(), LEVEL).toFloatArray());
            double[] vc = toDoubles(v.target(cond.x0(), cond.eps(), LEVEL).toFloatArray());
            assertEquals(std(vc), std(vg), 1e-5, "phi = 1: the guided v has the conditional v's spread");
        }
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static double std(double[] v) {
        double mean = 0;
        for (double d : v) {
            mean += d / v.length;
        }
        double s = 0;
        for (double d : v) {
            s += (d - mean) * (d - mean);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    @Test
    void classifierGuidanceShiftsEpsAgainstTheGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2}, new ai.djl.ndarray.types.Shape(1, 2));
            Conditioning c = Conditioning.labels(m.create(new long[] {1}));
            ClassifierGradient grad = (xs, level, labels) -> xs.onesLike().mul(2);
            Estimate e = new ClassifierGuidance(new Recording(), grad, 0.5).denoise(x, LEVEL, c);
            // ε̃ = ε̂ − s·σ·∇ = (0.1x + 1) − 0.5·0.8·2
            assertArrayEquals(new float[] {1.1f - 0.8f, 1.2f - 0.8f}, e.eps().toFloatArray(), 1e-6f);
        }
    }

    /**
     * Guidance limited to σ/α ∈ (low, high]: LEVEL has σ/α = 0.8/0.6 = 4/3, so (1, 2] and (1, 4/3] guide (both
     * branches, ε̃ = 0.1x + 3y) and (0, 1.3], (4/3, 2] run the conditional branch alone (ε̂ = 0.1x + y).
     */
    @Test
    void anIntervalGuidesOnlyInsideIt() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            Conditioning c = Conditioning.labels(m.create(new long[] {1, 2}));
            ClassifierFreeGuidance.Interval[] outside = {new ClassifierFreeGuidance.Interval(0, 1.3),
                new ClassifierFreeGuidance.Interval(LEVEL.veSigma(), 2)};
            for (ClassifierFreeGuidance.Interval limits : outside) {
                Recording inner = new Recording();
                Estimate e = new ClassifierFreeGuidance(inner, 3.0, 3).within(limits).denoise(x, LEVEL, c);
                assertEquals(1, inner.calls.size(), limits + ": one call");
                assertArrayEquals(new long[] {1, 2}, inner.calls.get(0), limits + ": conditional rows only");
                assertArrayEquals(new float[] {1.1f, 1.2f, 2.3f, 2.4f}, e.eps().toFloatArray(), 1e-6f, limits.toString());
            }
            for (ClassifierFreeGuidance.Interval limits : new ClassifierFreeGuidance.Interval[] {new ClassifierFreeGuidance.Interval(1, 2),
                new ClassifierFreeGuidance.Interval(1, LEVEL.veSigma())}) {
                Recording inner = new Recording();
                Estimate e = new ClassifierFreeGuidance(inner, 3.0, 3).within(limits).denoise(x, LEVEL, c);
                assertArrayEquals(new long[] {1, 2, 3, 3}, inner.calls.get(0), limits + ": both branches");
                assertArrayEquals(new float[] {3.1f, 3.2f, 6.3f, 6.4f}, e.eps().toFloatArray(), 1e-6f, limits.toString());
            }
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new ClassifierFreeGuidance.Interval(2, 1));
        assertTrue(bad.getMessage().contains("0 <= low < high, got (2.0, 1.0]"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClassifierFreeGuidance.Interval(Double.NaN, 1));
        assertTrue(ClassifierFreeGuidance.Interval.ALWAYS.contains(new NoiseLevel(999, 0, 1)), "pure noise (sigma/alpha infinite)");
        assertTrue(ClassifierFreeGuidance.Interval.ALWAYS.contains(NoiseLevel.clean(0)), "the clean level (an inversion's start)");
        assertFalse(new ClassifierFreeGuidance.Interval(0.28, 5.42).contains(NoiseLevel.clean(0)));
        assertEquals("(0.28, inf]", new ClassifierFreeGuidance.Interval(0.28, Double.POSITIVE_INFINITY).describe());
    }

    @Test
    void badScalesAndMissingLabelsAreRefused() {
        Recording inner = new Recording();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClassifierFreeGuidance(inner, Double.NaN, 3));
        assertTrue(e.getMessage().contains("guidance scale"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ClassifierFreeGuidance(inner, -1, 3));
        assertTrue(e.getMessage().contains("guidance scale must be a finite number >= 0, got -1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ClassifierFreeGuidance(inner, 2, 3, 1.5, io.diffusion4j.model.Prediction.EPSILON));
        assertTrue(e.getMessage().contains("guidance_rescale"), e.getMessage());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new ai.djl.ndarray.types.Shape(1, 2), DataType.FLOAT32);
            e = assertThrows(IllegalArgumentException.class, () -> new ClassifierFreeGuidance(inner, 2, 3).denoise(x, LEVEL, Conditioning.NONE));
            assertTrue(e.getMessage().contains("needs class labels"), e.getMessage());
        }
    }
}
