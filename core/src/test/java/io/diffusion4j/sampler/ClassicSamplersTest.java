package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.sampler.OdeFixtures.OrderCase;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Lms}, {@link Kdpm2}, {@link Pndm} and {@link Ipndm} on Gaussian data with the exact denoiser
 * (CONTRACT.md: the ODE segment to σ_min, errors against the exact probability-flow map, slope within
 * ±0.15), and the properties that pin their formulas.
 *
 * <p>What the orders are, and why. KDPM2 is a second-order single-step method. The multistep methods start
 * with lower orders (LMS and iPNDM with an Euler step), which caps a full run at second order in general;
 * with the exact history handed in ({@link #bodyError}) LMS of order k is of order k. The pseudo methods
 * (PLMS, iPNDM) weight the outputs with the equal-step Adams–Bashforth weights and move them with the DDIM
 * transfer, which integrates in σ̃: on a grid uniform in σ̃ they are LMS itself and fourth order, on the
 * Karras ramp (uniform in σ̃^{1/7}) the mismatch between the two is O(h²) per unit σ̃, and they are second
 * order whatever the warm-up.
 */
class ClassicSamplersTest {
    private static final GaussianData DATA = new GaussianData(4, 0.3, 0.5);
    /** A grid uniform in σ (ρ = 1) over the range where Gaussian data of std 0.5 bends the flow. */
    private static final KarrasSigmas UNIFORM = new KarrasSigmas(0.3, 3.0, 1.0);

    static Stream<OrderCase> fullRuns() {
        DiscreteVp vp = DiscreteVp.defaults();
        IntFunction<Plan> edm = n -> OdeFixtures.karrasToSigmaMin(KarrasSigmas.EDM, n);
        int[] usual = {10, 20, 40, 80};
        return Stream.of(
                new OrderCase("KDPM2 (EDM ramp to sigma_min)", new Kdpm2(), edm, 2, usual),
                new OrderCase("KDPM2 (VP uniform t 999..20)", new Kdpm2(), n -> Plans.uniform(vp, n, 999, 20), 2, usual),
                new OrderCase("LMS order 1 = Euler (EDM ramp)", new Lms(1), edm, 1, usual),
                new OrderCase("LMS order 2 (EDM ramp)", new Lms(2), edm, 2, new int[] {40, 80, 160, 320}),
                new OrderCase("PNDM Runge-Kutta warm-up (EDM ramp)", new Pndm(), edm, 2, usual),
                new OrderCase("PLMS, skip_prk_steps (EDM ramp)", new Pndm(false, Prediction.EPSILON), edm, 2, usual),
                new OrderCase("iPNDM (EDM ramp)", new Ipndm(), edm, 2, usual));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fullRuns")
    void convergesAtItsOrder(OrderCase c) {
        c.assertOrder(DATA);
    }

    /** With an exact start-up history, on a grid uniform in σ̃: LMS of order 4 and iPNDM (the same method there) are fourth order. */
    @Test
    void multistepBodiesAreFourthOrderOnAUniformGrid() {
        int[] steps = {16, 24, 32, 48};
        for (Sampler s : List.of(new Lms(4), new Ipndm())) {
            double[] err = new double[steps.length];
            try (NDManager m = NDManager.newBaseManager()) {
                for (int i = 0; i < steps.length; i++) {
                    err[i] = bodyError(m, s, OdeFixtures.karrasToSigmaMin(UNIFORM, steps[i]), 3);
                }
            }
            double order = GaussianData.order(steps, err);
            System.out.printf("%s with exact history, uniform sigma: steps %s errors %s order %.3f%n", s, Arrays.toString(steps),
                    Arrays.toString(err), order);
            assertEquals(4, order, 0.15, s.toString());
        }
    }

    /**
     * Runs {@code sampler} from step {@code warm} of {@code plan}, starting on the exact flow with the exact
     * ε̂ of the {@code warm} earlier levels as history; the error at the plan's end against the exact map.
     */
    static double bodyError(NDManager m, Sampler sampler, Plan plan, int warm) {
        NDArray start = DATA.start(m, 64, plan.point(0), 7);
        float[] x0 = start.toFloatArray();
        History history = History.EMPTY;
        for (int j = 0; j < warm; j++) {
            NDArray xj = exact(m, start, x0, plan.point(0), plan.point(j));
            history = history.push(DATA.denoiser().denoise(xj, plan.point(j), Conditioning.NONE).eps(), plan.point(j), warm);
        }
        NDArray x = exact(m, start, x0, plan.point(0), plan.point(warm));
        for (int i = warm; i < plan.steps(); i++) {
            Stepped out = sampler.step(new StepContext(DATA.denoiser(), plan, i, Conditioning.NONE, k -> {
                throw new AssertionError("deterministic samplers draw no noise");
            }), x, history);
            x = out.x();
            history = out.history();
        }
        return OdeFixtures.maxAbsDiff(x.toFloatArray(), DATA.exactFlow(x0, plan.point(0), plan.end()));
    }

    private static NDArray exact(NDManager m, NDArray like, float[] x0, NoiseLevel from, NoiseLevel to) {
        double[] d = DATA.exactFlow(x0, from, to);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return m.create(f, like.getShape());
    }

    /** On equally spaced nodes the integrated Lagrange basis is Adams–Bashforth: h·(55, −59, 37, −9)/24 (by hand). */
    @Test
    void lmsCoefficientsAreAdamsBashforthOnEqualSteps() {
        double h = -0.25;
        double[] c = Lms.coefficients(new double[] {2.0, 2.25, 2.5, 2.75}, 2.0 + h);
        assertArrayEquals(new double[] {55 * h / 24, -59 * h / 24, 37 * h / 24, -9 * h / 24}, c, 1e-15);
        assertArrayEquals(new double[] {1.5 * h, -0.5 * h}, Lms.coefficients(new double[] {2.0, 2.25}, 2.0 + h), 1e-15);
    }

    /**
     * Unequal nodes, order 2, closed form: c₀ = ∫_a^b (τ − s₁)/(s₀ − s₁) dτ = ((b − s₁)² − (a − s₁)²)/(2(s₀ − s₁)),
     * c₁ = (b − a) − c₀; every order's coefficients sum to b − a (the basis sums to 1).
     */
    @Test
    void lmsCoefficientsMatchTheClosedForm() {
        double a = 1.3;
        double s1 = 2.9;
        double b = 0.4;
        double c0 = ((b - s1) * (b - s1) - (a - s1) * (a - s1)) / (2 * (a - s1));
        assertArrayEquals(new double[] {c0, (b - a) - c0}, Lms.coefficients(new double[] {a, s1}, b), 1e-14);
        double[] c = Lms.coefficients(new double[] {0.7, 1.1, 1.9, 3.4, 6.0, 11.0, 20.0, 37.0}, 0.2);
        assertEquals(0.2 - 0.7, Arrays.stream(c).sum(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new Lms(9));
        assertThrows(IllegalArgumentException.class, () -> new Lms(0));
    }

    /** LMS of order 1 is Euler, and on a plan uniform in σ with α = 1 LMS of order 4 is iPNDM, step for step. */
    @Test
    void lmsReducesToEulerAndToIpndm() {
        try (NDManager m = NDManager.newBaseManager()) {
            Plan edm = Plans.karras(KarrasSigmas.EDM, 12);
            assertArrayEquals(OdeFixtures.trajectory(m, DATA, new Euler(), edm, 16).end(),
                    OdeFixtures.trajectory(m, DATA, new Lms(1), edm, 16).end(), 1e-5f);
            Plan uniform = OdeFixtures.karrasToSigmaMin(UNIFORM, 12);
            assertArrayEquals(OdeFixtures.trajectory(m, DATA, new Ipndm(), uniform, 16).end(),
                    OdeFixtures.trajectory(m, DATA, new Lms(4), uniform, 16).end(), 1e-5f);
        }
    }

    /** KDPM2's midpoint is the geometric mean of the σ̃ and the last step (to σ = 0) is one Euler call: 2N − 1. */
    @Test
    void kdpm2EvaluatesAtTheLogMidpoint() {
        Plan plan = Plans.karras(KarrasSigmas.EDM, 5);
        List<NoiseLevel> levels = new Kdpm2().evaluationLevels(plan, 1);
        assertEquals(Math.sqrt(plan.point(1).sigma() * plan.point(2).sigma()), levels.get(1).sigma(), 1e-12);
        assertEquals(List.of(plan.point(4)), new Kdpm2().evaluationLevels(plan, 4));
        assertEquals(9, new Kdpm2().evaluations(plan));
    }

    /**
     * PNDM's diffusers timesteps (T = 1000, N = 10, leading): four calls a, a − 50, a − 50, a − 100 on each
     * warm-up step, N + 9 calls in all; the improved-Euler first step of PLMS calls a and b, N + 1 in all.
     * With T div N odd (N = 9: 111) the first stage ends at a − 55 and the middle stages are at b + 55.
     */
    @Test
    void pndmCallsTheDenoiserWhereDiffusersDoes() {
        DiscreteVp vp = DiscreteVp.defaults();
        Plan plan = Plans.ddim(vp, 10, io.diffusion4j.schedule.Spacing.LEADING, 0, false);
        assertEquals(List.of(900.0, 850.0, 850.0, 800.0), new Pndm().evaluationLevels(plan, 0).stream().map(NoiseLevel::t).toList());
        assertEquals(List.of(600.0), new Pndm().evaluationLevels(plan, 3).stream().map(NoiseLevel::t).toList());
        assertEquals(19, new Pndm().evaluations(plan));
        Pndm plms = new Pndm(false, Prediction.EPSILON);
        assertEquals(List.of(900.0, 800.0), plms.evaluationLevels(plan, 0).stream().map(NoiseLevel::t).toList());
        assertEquals(11, plms.evaluations(plan));
        Plan nine = Plans.ddim(vp, 9, io.diffusion4j.schedule.Spacing.LEADING, 0, false);
        NoiseLevel[] half = Pndm.halfLevels(nine, nine.point(0), nine.target(0));
        assertEquals(888 - 55, half[0].t());
        assertEquals(777 + 55, half[1].t());
        assertThrows(IllegalArgumentException.class, () -> new Pndm().checkPlan(Plans.ddim(vp, 3, io.diffusion4j.schedule.Spacing.LEADING, 0,
                false)));
        assertThrows(IllegalArgumentException.class, () -> new Pndm(true, Prediction.SAMPLE));
    }

    /** iPNDM at α = 0 (diffusers' first level): ε̂ = x, so x̂₀ = 0 and the step is σ'·x whatever the network says. */
    @Test
    void ipndmStartsFromPureNoise() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {0.5f, -1.5f, 2f, 0.25f}, new ai.djl.ndarray.types.Shape(1, 4));
            Plan plan = Plan.chain(new io.diffusion4j.schedule.RectifiedFlow(),
                    List.of(new NoiseLevel(1, 0, 1), new NoiseLevel(0.5, 0.6, 0.8), NoiseLevel.clean(0)), 1.0);
            io.diffusion4j.model.Denoiser vModel = (y, level, cond) -> Prediction.V.toEstimate(y.mul(7), y, level);
            Stepped out = new Ipndm().step(new StepContext(vModel, plan, 0, Conditioning.NONE, k -> null), x, History.EMPTY);
            assertArrayEquals(x.mul(0.8).toFloatArray(), out.x().toFloatArray(), 1e-7f);
            assertTrue(out.history().size() == 1);
        }
    }
}
