package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.RectifiedFlow;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EulerAncestralTest {
    private static final DiscreteVp VP = DiscreteVp.defaults();
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);

    // 10,000 samples × 4 coordinates; tolerance 4 SE + the exact chain bias (StochasticFixtures).
    @Test
    void matchesTheDataMomentsOnTheEulerPlan() {
        StochasticFixtures.checkMoments("euler-a, 500 linspace steps", new EulerAncestral(), Plans.euler(VP, 500, Spacing.LINSPACE, 0, false), data, 10_000);
    }

    @Test
    void matchesTheDataMomentsWithKarrasSigmas() {
        StochasticFixtures.checkMoments("euler-a, 1000 Karras steps", new EulerAncestral(), Plans.euler(VP, 1000, Spacing.LINSPACE, 0, true), data, 10_000);
    }

    @Test
    void convergesAtFirstOrder() {
        double order = StochasticFixtures.biasOrder("euler-a", new EulerAncestral(), data,
                n -> Plans.euler(VP, n, Spacing.LINSPACE, 0, false), 100, 200, 500, 1000);
        assertEquals(1.0, order, 0.25);
    }

    /** η = 0 draws no noise and is the deterministic Euler step. */
    @Test
    void etaZeroIsEuler() {
        Plan plan = Plans.euler(VP, 20, Spacing.LINSPACE, 0, false);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray start = data.start(m, 64, plan.point(0), 7).mul(plan.initNoiseScale());
            long[] ids = NoiseSource.range(0, 64);
            float[] a = new SamplingLoop(new EulerAncestral(0), data.denoiser(), plan).run(start, Conditioning.NONE, new NoiseSource(1), ids).toFloatArray();
            float[] b = new SamplingLoop(new EulerAncestral(0), data.denoiser(), plan).run(start, Conditioning.NONE, new NoiseSource(2), ids).toFloatArray();
            float[] euler = new SamplingLoop(new Euler(), data.denoiser(), plan).run(start, Conditioning.NONE, new NoiseSource(1), ids).toFloatArray();
            assertArrayEquals(a, b, "eta = 0 must not depend on the seed");
            assertArrayEquals(euler, a, 1e-5f);
        }
    }

    @Test
    void badInputIsRejectedWithTheParameterName() {
        for (double eta : new double[] {-0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new EulerAncestral(eta));
            assertTrue(e.getMessage().contains("eta"), e.getMessage());
        }
        Plan flow = Plans.flowMatch(new RectifiedFlow(), 10, 1000);
        var e = assertThrows(IllegalArgumentException.class, () -> new SamplingLoop(new EulerAncestral(), data.denoiser(), flow));
        assertTrue(e.getMessage().contains("euler-ancestral"), e.getMessage());
    }
}
