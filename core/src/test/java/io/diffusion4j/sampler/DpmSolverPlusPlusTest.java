package io.diffusion4j.sampler;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.FinalSigma;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static io.diffusion4j.sampler.DpmSolverPlusPlus.SolverType.HEUN;
import static io.diffusion4j.sampler.DpmSolverPlusPlus.ThirdOrder.TAYLOR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DpmSolverPlusPlusTest {
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);
    private final DiscreteVp vp = DiscreteVp.defaults();

    private double fit(String name, DpmSolverPlusPlus solver, int... steps) {
        return OdeFixtures.fitOrder(name, data, solver.withLowerOrderFinal(false),
                n -> OdeFixtures.karrasToSigmaMin(KarrasSigmas.EDM, n), steps);
    }

    @Test
    void firstOrderIsFirstOrder() {
        assertEquals(1.0, fit("DPM++ order 1 (EDM ramp)", new DpmSolverPlusPlus(1), 10, 20, 40, 80), 0.15);
    }

    @Test
    void twoMIsSecondOrder() {
        assertEquals(2.0, fit("DPM++ 2M midpoint (EDM ramp)", new DpmSolverPlusPlus(2), 20, 40, 80, 160), 0.15);
        assertEquals(2.0, fit("DPM++ 2M heun (EDM ramp)", new DpmSolverPlusPlus(2).withSolverType(HEUN), 20, 40, 80, 160), 0.2);
    }

    @Test
    void twoMIsSecondOrderOnAVpKarrasPlanWithASigmaMinEnd() {
        // CONTRACT.md's setup: diffusers' "DPM++ 2M Karras" with final_sigmas_type = sigma_min; its last
        // step repeats sigma_min (h = 0), a no-op, so the reference is the exact map to sigma_min.
        DpmSolverPlusPlus solver = new DpmSolverPlusPlus(2).withLowerOrderFinal(false);
        double order = OdeFixtures.fitOrder("DPM++ 2M (VP Karras, sigma_min end)", data, solver,
                n -> Plans.dpmSolver(vp, n, Spacing.LINSPACE, 0, FinalSigma.SIGMA_MIN, true), 20, 40, 80, 160);
        assertEquals(2.0, order, 0.15);
    }

    @Test
    void threeMWithTheTaylorWeightIsThirdOrder() {
        assertEquals(3.0, fit("DPM++ 3M taylor (EDM ramp)", new DpmSolverPlusPlus(3).withThirdOrder(TAYLOR), 20, 40, 80, 160), 0.3);
    }

    @Test
    void threeMAsDiffusersWritesItIsNotThirdOrder() {
        // Documents diffusers' behaviour (see DpmSolverPlusPlus): half-weight D2 leaves an O(h^3) local error.
        double diffusers = fit("DPM++ 3M diffusers (EDM ramp)", new DpmSolverPlusPlus(3), 20, 40, 80, 160);
        assertTrue(diffusers < 2.5, "diffusers' 3M fitted order " + diffusers);
    }

    @Test
    void finalJumpToCleanReturnsX0WithTheDefaults() {
        for (int order = 1; order <= 3; order++) {
            for (int steps : new int[] {10, 20}) {
                Plan plan = Plans.dpmSolver(vp, steps, Spacing.LINSPACE, 0, FinalSigma.ZERO, false);
                try (NDManager m = NDManager.newBaseManager()) {
                    OdeFixtures.Trajectory run = OdeFixtures.trajectory(m, data, new DpmSolverPlusPlus(order), plan, 16);
                    assertArrayEquals(run.x0()[steps - 1], run.end(), "order " + order + ", " + steps + " steps");
                }
            }
        }
    }

    @Test
    void repeatedSigmaIsANoOp() {
        for (DpmSolverPlusPlus solver : List.of(new DpmSolverPlusPlus(2), new DpmSolverPlusPlus(2).withSolverType(HEUN),
                new DpmSolverPlusPlus(3), new DpmSolverPlusPlus(3).withThirdOrder(TAYLOR))) {
            for (int steps : new int[] {10, 20}) {   // < 15: first-order last step; 20: full-order last step
                Plan plan = Plans.dpmSolver(vp, steps, Spacing.LINSPACE, 0, FinalSigma.SIGMA_MIN, true);
                double h = plan.end().lambda() - plan.point(steps - 1).lambda();
                assertTrue(Math.abs(h) < DpmSolverPlusPlus.SAME_LEVEL, "setup: the last step should repeat sigma_min, h = " + h);
                try (NDManager m = NDManager.newBaseManager()) {
                    OdeFixtures.Trajectory run = OdeFixtures.trajectory(m, data, solver, plan, 16);
                    assertArrayEquals(run.x()[steps - 2], run.end(), solver + ", " + steps + " steps");
                }
            }
        }
    }

    @Test
    void repeatedSigmaInsideThePlanKeepsTheHistoryUsable() {
        KarrasSigmas edm = KarrasSigmas.EDM;
        List<NoiseLevel> levels = IntStream.of(0, 1, 1, 2, 3).mapToObj(i -> edm.level(new double[] {80, 10, 1, 0.1}[i])).toList();
        Plan plan = Plan.chain(edm, levels, 80);
        try (NDManager m = NDManager.newBaseManager()) {
            OdeFixtures.Trajectory run = OdeFixtures.trajectory(m, data, new DpmSolverPlusPlus(3).withLowerOrderFinal(false), plan, 8);
            assertArrayEquals(run.x()[0], run.x()[1]);
            for (float v : run.end()) {
                assertTrue(Float.isFinite(v), "non-finite value after a repeated level");
            }
        }
    }

    @Test
    void lowerOrderFinalFollowsDiffusers() {
        assertArrayEquals(new int[] {1, 2, 3, 3, 3, 3, 3, 3, 2, 1}, orders(new DpmSolverPlusPlus(3), 10));
        assertArrayEquals(new int[] {1, 2, 2, 2, 2, 2, 2, 2, 2, 1}, orders(new DpmSolverPlusPlus(2), 10));
        int[] long3 = orders(new DpmSolverPlusPlus(3), 15);
        assertEquals(3, long3[13]);
        assertEquals(3, long3[14]);
        assertEquals(1, orders(new DpmSolverPlusPlus(3).withEulerAtFinal(true), 15)[14]);
        assertEquals(3, orders(new DpmSolverPlusPlus(3).withLowerOrderFinal(false), 10)[9]);
    }

    /** The order of each step of an N-step plan, with the history a run would have. */
    private static int[] orders(DpmSolverPlusPlus solver, int steps) {
        Plan plan = OdeFixtures.karrasToSigmaMin(KarrasSigmas.EDM, steps);
        int[] out = new int[steps];
        History history = History.EMPTY;
        for (int i = 0; i < steps; i++) {
            out[i] = solver.stepOrder(new StepContext((x, l, c) -> null, plan, i, Conditioning.NONE, k -> null), history);
            history = history.push(null, plan.point(i), solver.order() - 1);
        }
        return out;
    }

    @Test
    void clippingAppliesToX0() {
        Plan plan = Plans.dpmSolver(vp, 10, Spacing.LINSPACE, 0, FinalSigma.ZERO, false);
        try (NDManager m = NDManager.newBaseManager()) {
            DpmSolverPlusPlus clipped = new DpmSolverPlusPlus().withClipping(new X0Clipping.Clamp(0.2));
            float[] end = OdeFixtures.trajectory(m, data, clipped, plan, 16).end();
            for (float v : end) {
                assertTrue(Math.abs(v) <= 0.2f, "clipped x0 out of range: " + v);
            }
        }
    }

    @Test
    void costsOneEvaluationPerStep() {
        assertEquals(25, new DpmSolverPlusPlus(3).evaluations(Plans.dpmSolver(vp, 25, Spacing.LINSPACE, 0, FinalSigma.ZERO, true)));
    }

    @Test
    void badSettingsAreRefusedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DpmSolverPlusPlus(4));
        assertTrue(e.getMessage().contains("solver_order"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DpmSolverPlusPlus(0));
        assertThrows(IllegalArgumentException.class, () -> new DpmSolverPlusPlus(2).withSolverType(null));
    }
}
