package io.diffusion4j.sampler;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.FinalSigma;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link UniPc} alone, on Gaussian data with its exact denoiser (CONTRACT.md: the ODE segment of an EDM
 * ramp to σ_min, no lower-order final step). Zhao et al. 2023 (Thm. 3.1/3.2): UniP-p is order p and the
 * corrector UniC raises it to p + 1 without another evaluation. Measured (orders fitted over 20 … 160
 * steps): UniPC-1 2.0–2.1, UniPC-2 3.0–3.2, UniPC-3 3.9; the predictor alone 1.0, 2.1–2.3, 2.6–3.3.
 */
class UniPcTest {
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);
    private final DiscreteVp vp = DiscreteVp.defaults();
    private static final Set<Integer> EVERY_STEP = IntStream.range(0, 1000).boxed().collect(Collectors.toSet());

    private double fit(String name, UniPc solver, int... steps) {
        return OdeFixtures.fitOrder(name, data, solver.withLowerOrderFinal(false), n -> OdeFixtures.karrasToSigmaMin(KarrasSigmas.EDM, n),
                steps);
    }

    @Test
    void theCorrectorRaisesTheOrderByOne() {
        assertEquals(2.0, fit("UniPC-1 bh2", new UniPc(1), 20, 40, 80, 160), 0.15);
        assertEquals(3.0, fit("UniPC-2 bh2", new UniPc(2), 20, 40, 80, 160), 0.25);
        assertEquals(3.0, fit("UniPC-2 bh1", new UniPc(2).withVariant(UniPc.Variant.BH1), 20, 40, 80, 160), 0.3);
        assertEquals(3.0, fit("UniPC-2 bh2, eps form", new UniPc(2).withPredictX0(false), 20, 40, 80, 160), 0.25);
        assertTrue(fit("UniPC-3 bh2", new UniPc(3), 20, 40, 80, 160) > 3.5, "UniPC-3 should reach order ~4");
    }

    @Test
    void thePredictorAloneHasTheSolverOrder() {
        assertEquals(1.0, fit("UniP-1", new UniPc(1).withDisabledCorrector(EVERY_STEP), 20, 40, 80, 160), 0.15);
        assertEquals(2.0, fit("UniP-2", new UniPc(2).withDisabledCorrector(EVERY_STEP), 20, 40, 80, 160), 0.3);
    }

    @Test
    void thePredictorAloneIsDpmSolverPlusPlus() {
        // bh2 in the x0 form: B(h) = e^{-h} - 1 and rho = 1/2 give DPM-Solver++(2M) midpoint term for term.
        Plan plan = Plans.dpmSolver(vp, 12, Spacing.LINSPACE, 0, FinalSigma.SIGMA_MIN, false);
        for (int order = 1; order <= 2; order++) {
            try (NDManager m = NDManager.newBaseManager()) {
                float[] uni = OdeFixtures.trajectory(m, data, new UniPc(order).withLowerOrderFinal(false).withDisabledCorrector(EVERY_STEP),
                        plan, 16).end();
                float[] dpm = OdeFixtures.trajectory(m, data, new DpmSolverPlusPlus(order).withLowerOrderFinal(false), plan, 16).end();
                assertTrue(OdeFixtures.maxAbsDiff(uni, dpm) < 1e-5, "order " + order + ": " + OdeFixtures.maxAbsDiff(uni, dpm));
            }
        }
    }

    @Test
    void finalJumpToCleanReturnsX0() {
        for (int order = 1; order <= 3; order++) {
            for (boolean lowerOrderFinal : new boolean[] {true, false}) {
                Plan plan = Plans.dpmSolver(vp, 10, Spacing.LINSPACE, 0, FinalSigma.ZERO, false);
                UniPc solver = new UniPc(order).withLowerOrderFinal(lowerOrderFinal);
                try (NDManager m = NDManager.newBaseManager()) {
                    OdeFixtures.Trajectory run = OdeFixtures.trajectory(m, data, solver, plan, 16);
                    assertArrayEquals(run.x0()[9], run.end(), solver.toString());
                }
            }
        }
    }

    @Test
    void repeatedSigmaMinEndStaysFiniteAndAccurate() {
        // diffusers' Karras plan with a sigma_min end: the last step has h = 0 and keeps the corrected x.
        for (int order = 1; order <= 3; order++) {
            for (boolean lowerOrderFinal : new boolean[] {true, false}) {
                Plan plan = Plans.dpmSolver(vp, 20, Spacing.LINSPACE, 0, FinalSigma.SIGMA_MIN, true);
                UniPc solver = new UniPc(order).withLowerOrderFinal(lowerOrderFinal);
                Plan withoutRepeat = OdeFixtures.withoutCleanEnd(plan);   // the same levels, ending at the last ramp sigma
                try (NDManager m = NDManager.newBaseManager()) {
                    double err = data.flowError(m, solver, plan, 16);
                    double reference = data.flowError(m, solver, withoutRepeat, 16);
                    System.out.printf("UniPC-%d lof=%b repeated end %.3g, without the repeat %.3g%n", order, lowerOrderFinal, err, reference);
                    assertTrue(Double.isFinite(err) && err < 1.5 * reference, solver + ": error " + err + " vs " + reference);
                }
            }
        }
    }

    @Test
    void lowerOrderFinalCapsTheLastStepsWhateverTheLength() {
        UniPc three = new UniPc(3);
        int[] caps = IntStream.range(0, 20).map(i -> three.cap(i, 20)).toArray();
        assertEquals(3, caps[17]);
        assertEquals(2, caps[18]);
        assertEquals(1, caps[19]);
        assertEquals(3, three.withLowerOrderFinal(false).cap(19, 20));
    }

    @Test
    void badArgumentsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new UniPc(4));
        assertTrue(e.getMessage().contains("solver_order"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new UniPc(2, true, null, true, Set.of(), X0Clipping.NONE));
    }
}
