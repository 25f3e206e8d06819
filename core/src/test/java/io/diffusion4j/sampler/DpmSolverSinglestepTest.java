package io.diffusion4j.sampler;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.FinalSigma;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import static io.diffusion4j.sampler.DpmSolverPlusPlus.SolverType.HEUN;
import static io.diffusion4j.sampler.DpmSolverPlusPlus.SolverType.MIDPOINT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DpmSolverSinglestep} alone, on Gaussian data with its exact denoiser (CONTRACT.md: the ODE segment of an
 * EDM ramp to σ_min, no lower-order final step; step counts multiples of 6 so whole groups fit). Measured over
 * 24 … 192 steps: order 1 0.98; order 2 1.90–2.05 (both solver types, both forms); order 3 2.79–3.30 (the
 * midpoint form keeps only D₁, which is third order when the group's levels are near λ-uniform, as on this
 * ramp).
 */
class DpmSolverSinglestepTest {
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);
    private final DiscreteVp vp = DiscreteVp.defaults();

    private double fit(DpmSolverSinglestep solver) {
        return OdeFixtures.fitOrder(solver.toString(), data, solver, n -> OdeFixtures.karrasToSigmaMin(KarrasSigmas.EDM, n), 24, 48, 96, 192);
    }

    @Test
    void convergesAtItsOrder() {
        assertEquals(1.0, fit(new DpmSolverSinglestep(1)), 0.15);
        for (boolean data : new boolean[] {true, false}) {
            assertEquals(2.0, fit(new DpmSolverSinglestep(2).withDataPrediction(data)), 0.15);
            assertEquals(2.0, fit(new DpmSolverSinglestep(2).withDataPrediction(data).withSolverType(HEUN)), 0.15);
            assertEquals(3.0, fit(new DpmSolverSinglestep(3).withDataPrediction(data).withSolverType(HEUN)), 0.35);
            assertEquals(3.0, fit(new DpmSolverSinglestep(3).withDataPrediction(data).withSolverType(MIDPOINT)), 0.3);
        }
    }

    @Test
    void orderListsAreDiffusers() {
        // diffusers' order_list after set_timesteps (printed by its scheduling_dpmsolver_singlestep.py; true = final σ zero)
        assertArrayEquals(new int[] {1, 2, 3, 1, 2, 3, 1, 2, 3, 1}, new DpmSolverSinglestep(3).orders(10, false));
        assertArrayEquals(new int[] {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 1}, new DpmSolverSinglestep(3).withLowerOrderFinal(true).orders(12, false));
        assertArrayEquals(new int[] {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}, new DpmSolverSinglestep(3).orders(12, false));
        assertArrayEquals(new int[] {1, 2, 3, 1, 2, 3, 1, 2, 3, 1}, new DpmSolverSinglestep(3).orders(10, true));
        assertArrayEquals(new int[] {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 1}, new DpmSolverSinglestep(3).orders(12, true));
        assertArrayEquals(new int[] {1, 2, 1, 2, 1, 2, 1, 2, 1, 1}, new DpmSolverSinglestep(2).orders(10, true));
        assertArrayEquals(new int[] {1, 2, 1, 2, 1, 2, 1, 2, 1, 2}, new DpmSolverSinglestep(2).orders(10, false));
        assertArrayEquals(new int[] {1, 2, 1, 2, 1}, new DpmSolverSinglestep(2).orders(5, false));
    }

    @Test
    void firstOrderIsDpmSolverPlusPlusFirstOrder() {
        Plan plan = Plans.dpmSolver(vp, 10, Spacing.LINSPACE, 0, FinalSigma.SIGMA_MIN, false);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] single = OdeFixtures.trajectory(m, data, new DpmSolverSinglestep(1), plan, 16).end();
            float[] multi = OdeFixtures.trajectory(m, data, new DpmSolverPlusPlus(1), plan, 16).end();
            assertTrue(OdeFixtures.maxAbsDiff(single, multi) < 1e-5, "max diff " + OdeFixtures.maxAbsDiff(single, multi));
        }
    }

    @Test
    void aPlanEndingCleanReturnsX0() {
        for (int order = 1; order <= 3; order++) {
            Plan plan = Plans.dpmSolver(vp, 12, Spacing.LINSPACE, 0, FinalSigma.ZERO, false);
            try (NDManager m = NDManager.newBaseManager()) {
                OdeFixtures.Trajectory run = OdeFixtures.trajectory(m, data, new DpmSolverSinglestep(order), plan, 16);
                assertArrayEquals(run.x0()[11], run.end(), "order " + order);
            }
        }
    }

    @Test
    void karrasSigmaMinEndStaysFinite() {
        for (int order = 1; order <= 3; order++) {
            Plan plan = Plans.dpmSolver(vp, 12, Spacing.LINSPACE, 0, FinalSigma.SIGMA_MIN, true);
            try (NDManager m = NDManager.newBaseManager()) {
                // the last step repeats sigma_min: as accurate as the plan without it
                double err = data.flowError(m, new DpmSolverSinglestep(order), plan, 16);
                double reference = data.flowError(m, new DpmSolverSinglestep(order), OdeFixtures.withoutCleanEnd(plan), 16);
                assertTrue(Double.isFinite(err) && err < 1.5 * reference, "order " + order + ": error " + err + " vs " + reference);
            }
        }
    }

    @Test
    void badArgumentsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DpmSolverSinglestep(4));
        assertTrue(e.getMessage().contains("solver_order"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DpmSolverSinglestep(2, true, null, false, X0Clipping.NONE));
    }
}
