package io.diffusion4j.sampler;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.FinalSigma;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Deis} alone, on Gaussian data with its exact denoiser (CONTRACT.md: the ODE segment of an EDM ramp to
 * σ_min, no lower-order final step). Measured: order 1 0.98, order 2 2.02, order 3 2.84 over 48 … 192 steps
 * (local slopes 2.77, 2.90: the first-order warm-up steps fade slowly at this resolution, and float32 ends the
 * range near 1e-6).
 */
class DeisTest {
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);
    private final DiscreteVp vp = DiscreteVp.defaults();

    private double fit(int order, int... steps) {
        return OdeFixtures.fitOrder("DEIS-" + order, data, new Deis(order).withLowerOrderFinal(false),
                n -> OdeFixtures.karrasToSigmaMin(KarrasSigmas.EDM, n), steps);
    }

    @Test
    void convergesAtItsOrder() {
        assertEquals(1.0, fit(1, 24, 48, 96, 192), 0.15);
        assertEquals(2.0, fit(2, 24, 48, 96, 192), 0.15);
        assertEquals(3.0, fit(3, 48, 96, 192), 0.3);
    }

    @Test
    void theLagrangeWeightsIntegrateOne() {
        // the basis sums to 1, so the weights of a constant eps add up to rho_t - rho_s (the first-order step)
        NoiseLevel s2 = vp.level(800);
        NoiseLevel s1 = vp.level(600);
        NoiseLevel s0 = vp.level(400);
        NoiseLevel t = vp.level(250);
        try (NDManager m = NDManager.newBaseManager()) {
            History h = History.EMPTY.push(m.create(0f), s2, 2).push(m.create(0f), s1, 2);
            for (int k = 1; k <= 3; k++) {
                double sum = 0;
                for (double c : Deis.coefficients(k, s0, t, h)) {
                    sum += c;
                }
                assertEquals(t.veSigma() - s0.veSigma(), sum, 1e-12, "order " + k);
            }
        }
    }

    @Test
    void firstOrderIsTheDdimStep() {
        Plan plan = Plans.dpmSolver(vp, 10, Spacing.LINSPACE, 0, FinalSigma.SIGMA_MIN, false);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] deis = OdeFixtures.trajectory(m, data, new Deis(1), plan, 16).end();
            float[] dpm = OdeFixtures.trajectory(m, data, new DpmSolverPlusPlus(1), plan, 16).end();
            assertTrue(OdeFixtures.maxAbsDiff(deis, dpm) < 1e-5, "max diff " + OdeFixtures.maxAbsDiff(deis, dpm));
        }
    }

    @Test
    void aPlanEndingCleanReturnsX0() {
        Plan plan = Plans.dpmSolver(vp, 10, Spacing.LINSPACE, 0, FinalSigma.ZERO, false);
        for (int order = 1; order <= 3; order++) {
            try (NDManager m = NDManager.newBaseManager()) {
                OdeFixtures.Trajectory run = OdeFixtures.trajectory(m, data, new Deis(order).withLowerOrderFinal(false), plan, 16);
                assertArrayEquals(run.x0()[9], run.end(), "order " + order);
            }
        }
    }

    @Test
    void repeatedSigmaMinIsANoOp() {
        for (int steps : new int[] {10, 20}) {   // < 15: first-order last step; 20: full order
            Plan plan = Plans.dpmSolver(vp, steps, Spacing.LINSPACE, 0, FinalSigma.SIGMA_MIN, true);
            try (NDManager m = NDManager.newBaseManager()) {
                OdeFixtures.Trajectory run = OdeFixtures.trajectory(m, data, new Deis(3), plan, 16);
                assertArrayEquals(run.x()[steps - 2], run.end(), steps + " steps");
            }
        }
    }

    @Test
    void badArgumentsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Deis(0));
        assertTrue(e.getMessage().contains("solver_order"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Deis(2, true, null));
    }
}
