package io.diffusion4j.sampler;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DdpmTest {
    private static final DiscreteVp VP = DiscreteVp.defaults();
    private static final Ddpm LARGE = new Ddpm(Ddpm.Variance.FIXED_LARGE, X0Clipping.NONE);
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);

    // 10,000 samples × 4 i.i.d. coordinates: SE(mean) ≈ 0.0025, SE(var) ≈ 0.7% of the variance; the
    // tolerance is 4 SE plus the exact discretisation bias of the chain (StochasticFixtures.chain).
    @Test
    void fixedSmallMatchesTheDataMoments() {
        StochasticFixtures.checkMoments("ddpm fixed_small, 1000 leading steps", new Ddpm(), Plans.ddim(VP, 1000, Spacing.LEADING, 0, true), data, 10_000);
    }

    @Test
    void fixedLargeMatchesTheDataMoments() {
        StochasticFixtures.checkMoments("ddpm fixed_large, 250 trailing steps", LARGE, Plans.ddim(VP, 250, Spacing.TRAILING, 0, true), data, 10_000);
    }

    /**
     * Ho et al. 2020 §3.2: σ² = β is optimal for x₀ ~ N(0, I). Every noisy step is then exact even with
     * 50 steps; only the final jump to x̂₀ drops Var(x₀ | x_t) = 1 − ᾱ_t at the last timestep (t = 1).
     */
    @Test
    void fixedLargeIsExactForStandardNormalData() {
        GaussianData unit = new GaussianData(4, 0, 1);
        Plan plan = Plans.ddim(VP, 50, Spacing.LEADING, 1, true);
        double bias = StochasticFixtures.chain(LARGE, unit, plan).var() - 1;
        assertEquals(-(1 - VP.alphaBar(1)), bias, 2e-5, "fixed_large variance bias on N(0, 1) data");
        StochasticFixtures.checkMoments("ddpm fixed_large on N(0,1), 50 steps", LARGE, plan, unit, 10_000);
    }

    @Test
    void bothVariancesConvergeAtFirstOrder() {
        for (Ddpm sampler : List.of(new Ddpm(), LARGE)) {
            double order = StochasticFixtures.biasOrder("ddpm " + sampler.variance().diffusersName(), sampler, data,
                    n -> Plans.ddim(VP, n, Spacing.LEADING, 0, true), 100, 200, 500, 1000);
            assertEquals(1.0, order, 0.25);
        }
    }

    /** Full-T plan: the step is Ho et al.'s posterior at t = 500, from DiscreteVp's closed forms. */
    @Test
    void aFullStepIsTheDdpmPosterior() {
        Plan plan = Plans.ddim(VP, 1000, Spacing.LEADING, 0, true);
        int i = 499;
        assertEquals(500, plan.point(i).t());
        double[] c = VP.posteriorMeanCoefficients(500);
        assertEquals(c[0], respond(new Ddpm(), plan, i, 1, 0, 0), 1e-7, "x0 coefficient");
        assertEquals(c[1], respond(new Ddpm(), plan, i, 0, 1, 0), 1e-6, "x_t coefficient");
        assertEquals(Math.sqrt(VP.posteriorVariance(500)), respond(new Ddpm(), plan, i, 0, 0, 1), 1e-6, "fixed_small std");
        assertEquals(Math.sqrt(VP.beta(500)), respond(LARGE, plan, i, 0, 0, 1), 1e-6, "fixed_large std");
    }

    /** A skipped step 500 → 480 uses diffusers' "current" β = 1 − ᾱ_500/ᾱ_480 (DDPMScheduler.step). */
    @Test
    void aSkippedStepUsesTheCurrentBeta() {
        Plan plan = Plans.ddim(VP, 50, Spacing.LEADING, 0, true);
        int i = 24;
        assertEquals(500, plan.point(i).t());
        double ab = VP.alphaBar(500);
        double abPrev = VP.alphaBar(480);
        double beta = 1 - ab / abPrev;
        assertEquals(Math.sqrt(abPrev) * beta / (1 - ab), respond(new Ddpm(), plan, i, 1, 0, 0), 1e-7);
        assertEquals(Math.sqrt(1 - beta) * (1 - abPrev) / (1 - ab), respond(new Ddpm(), plan, i, 0, 1, 0), 1e-6);
        assertEquals(Math.sqrt((1 - abPrev) / (1 - ab) * beta), respond(new Ddpm(), plan, i, 0, 0, 1), 1e-6);
        assertEquals(Math.sqrt(beta), respond(LARGE, plan, i, 0, 0, 1), 1e-6);
    }

    /** The last step lands on x̂₀ (clipped here) and draws no noise, for either variance. */
    @Test
    void theStepToTheCleanSampleIsX0WithoutNoise() {
        Plan plan = Plans.ddim(VP, 20, Spacing.TRAILING, 0, true);
        int last = plan.steps() - 1;
        assertTrue(plan.target(last).isClean() && plan.point(last).t() > 0);
        for (Ddpm s : List.of(new Ddpm(), LARGE, new Ddpm(Ddpm.Variance.FIXED_LARGE, new X0Clipping.Clamp(0.1)))) {
            StepNoise refuse = k -> {
                throw new AssertionError("noise drawn on the step to the clean sample");
            };
            double expected = s.clipping() instanceof X0Clipping.Clamp ? 0.1 : 0.7;
            assertEquals(expected, respond(s, plan, last, 0.7f, 0.3f, refuse), 1e-6);
        }
    }

    @Test
    void badInputIsRejectedWithTheParameterName() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Ddpm(null, X0Clipping.NONE));
        assertTrue(e.getMessage().contains("variance_type"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Ddpm(Ddpm.Variance.FIXED_SMALL, null));
        assertTrue(e.getMessage().contains("clipping"), e.getMessage());
        Plan clean = new Plan(VP, List.of(NoiseLevel.clean(0)), List.of(NoiseLevel.clean(0)), 1.0);
        e = assertThrows(IllegalArgumentException.class, () -> new SamplingLoop(new Ddpm(), data.denoiser(), clean));
        assertTrue(e.getMessage().contains("ddpm needs sigma > 0"), e.getMessage());
    }

    /** The step's output for x̂₀ ≡ x0, x ≡ x and noise ≡ z (one value). */
    static double respond(Sampler s, Plan plan, int i, float x0, float x, float z) {
        try (NDManager m = NDManager.newBaseManager()) {
            return respond(s, plan, i, x0, x, k -> m.full(new Shape(1, 1), z));
        }
    }

    private static double respond(Sampler s, Plan plan, int i, float x0, float x, StepNoise noise) {
        try (NDManager m = NDManager.newBaseManager()) {
            Shape shape = new Shape(1, 1);
            Denoiser fixed = (xt, level, cond) -> new Estimate(m.full(shape, x0), m.zeros(shape));
            StepContext ctx = new StepContext(fixed, plan, i, Conditioning.NONE, noise);
            return s.step(ctx, m.full(shape, x), History.EMPTY).x().toFloatArray()[0];
        }
    }
}
