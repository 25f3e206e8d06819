package io.diffusion4j.sampler;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.FinalSigma;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.RectifiedFlow;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every deterministic sampler, on the plans users get, ends at the clean sample: the last step jumps
 * to σ = 0 and lands on that step's x̂₀ (exactly so for DPM-Solver++, to float32 round-off for the
 * Euler-type final steps), with no NaN on the way.
 */
class CleanEndTest {
    private static final GaussianData DATA = new GaussianData(4, 0.3, 0.5);

    static Stream<Arguments> samplersAndPlans() {
        DiscreteVp vp = DiscreteVp.defaults();
        KarrasSigmas edm = KarrasSigmas.EDM;
        DpmSolverPlusPlus taylor3 = new DpmSolverPlusPlus(3).withThirdOrder(DpmSolverPlusPlus.ThirdOrder.TAYLOR);
        return Stream.of(
                Arguments.of("euler", new Euler(), Plans.euler(vp, 20, Spacing.LINSPACE, 0, false), 1e-5),
                Arguments.of("euler-karras", new Euler(), Plans.euler(vp, 20, Spacing.LINSPACE, 0, true), 1e-5),
                Arguments.of("euler-edm", new Euler(), Plans.karras(edm, 20), 1e-5),
                Arguments.of("heun", new Heun(), Plans.euler(vp, 20, Spacing.LINSPACE, 0, false), 1e-5),
                Arguments.of("heun-edm", new Heun(), Plans.karras(edm, 20), 1e-5),
                Arguments.of("pf-ode", new ProbabilityFlowOde(), Plans.euler(vp, 10, Spacing.TRAILING, 0, false), 1e-5),
                Arguments.of("pf-ode-edm", new ProbabilityFlowOde(), Plans.karras(edm, 10), 1e-5),
                Arguments.of("dpm++2m", new DpmSolverPlusPlus(), dpm(vp, false), 0.0),
                Arguments.of("dpm++2m-karras", new DpmSolverPlusPlus(), dpm(vp, true), 0.0),
                Arguments.of("dpm++2m-edm", new DpmSolverPlusPlus(2).withLowerOrderFinal(false), Plans.karras(edm, 20), 0.0),
                Arguments.of("dpm++3m", new DpmSolverPlusPlus(3), dpm(vp, false), 0.0),
                Arguments.of("dpm++3m-taylor", taylor3, dpm(vp, true), 0.0),
                Arguments.of("dpm++2m-flow", new DpmSolverPlusPlus(), Plans.flowMatch(new RectifiedFlow(), 20, 1000), 0.0),
                Arguments.of("flow-euler", new FlowEuler(), Plans.flowMatch(new RectifiedFlow(), 20, 1000), 1e-5),
                Arguments.of("flow-euler-shift3", new FlowEuler(), Plans.flowMatch(new RectifiedFlow(3.0), 20, 1000), 1e-5),
                Arguments.of("flow-heun", new FlowHeun(), Plans.flowMatch(new RectifiedFlow(), 20, 1000), 1e-5));
    }

    /** diffusers' DPMSolverMultistepScheduler defaults with 20 steps: linspace, final σ = 0. */
    private static Plan dpm(DiscreteVp vp, boolean karras) {
        return Plans.dpmSolver(vp, 20, Spacing.LINSPACE, 0, FinalSigma.ZERO, karras);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplersAndPlans")
    void endsAtTheLastCleanEstimate(String name, Sampler sampler, Plan plan, double tolerance) {
        assertTrue(plan.end().isClean(), "the plan must end at sigma = 0");
        try (NDManager m = NDManager.newBaseManager()) {
            OdeFixtures.Trajectory run = OdeFixtures.trajectory(m, DATA, sampler, plan, 32);
            for (float[] x : run.x()) {
                for (float v : x) {
                    assertTrue(Float.isFinite(v), name + ": non-finite value on the trajectory");
                }
            }
            float[] lastX0 = run.x0()[plan.steps() - 1];
            double gap = OdeFixtures.maxAbsDiff(run.end(), lastX0);
            double exactGap = OdeFixtures.maxAbsDiff(run.end(), DATA.exactFlow(run.start(), plan.point(0), plan.end()));
            System.out.printf("%s: |end - last x0| = %.3g, |end - exact PF map| = %.3g%n", name, gap, exactGap);
            assertTrue(gap <= tolerance, name + ": the end is " + gap + " from the last step's x0");
            // Discretisation plus the final jump's own O(σ_last²) error (CONTRACT.md) stay below this at
            // 10–20 steps; a wrong scaling of x would be off by O(1).
            assertTrue(exactGap < 0.25, name + ": the end is " + exactGap + " from the exact probability-flow map");
        }
    }
}
