package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The consistency-family samplers ({@link Lcm}, {@link ConsistencyMultistep}, {@link Tcd}) on Gaussian data
 * N(m, s²·I), where the probability-flow map, and so the exact consistency function, is known in closed form.
 *
 * <p>Multistep consistency sampling (Song et al. 2023, Alg. 1) with the exact consistency function samples
 * the data exactly at any step count: f maps the marginal at σ onto the data (at σ_min for the VE models),
 * and the fresh noise maps that onto the next marginal. Neither sampler is a discretisation of an ODE, so
 * there is no convergence order to fit; this exactness is their property. TCD with γ = 0 is DDIM along the
 * plan and is fitted for first order; its stochastic part is checked against the closed form of one step.
 */
class ConsistencySamplersTest {
    private static final GaussianData DATA = new GaussianData(4, 0.3, 0.5);
    private static final DiscreteVp VP = DiscreteVp.defaults();
    private static final int N = 20_000;

    /**
     * A denoiser whose x̂₀, put through {@link Lcm}'s parametrisation f = c_skip·x + c_out·x̂₀, gives the exact
     * consistency function f(x) = a + b·x of the level.
     */
    private interface Exact {
        double[] affine(NoiseLevel level);
    }

    private static Denoiser parametrised(Exact exact, ToDoubleFunction<NoiseLevel> cSkip, ToDoubleFunction<NoiseLevel> cOut) {
        return (x, level, cond) -> {
            double[] ab = exact.affine(level);
            NDArray f = x.mul(ab[1]).add(ab[0]);
            NDArray raw = f.sub(x.mul(cSkip.applyAsDouble(level))).div(cOut.applyAsDouble(level));
            return Estimate.fromX0(x, raw, level);
        };
    }

    /** VP: the flow map from (α, σ) to the data, x₀ = m + s/√(α²s² + σ²)·(x − α·m). */
    private static double[] vpToData(NoiseLevel l) {
        double scale = DATA.std() / Math.hypot(l.alpha() * DATA.std(), l.sigma());
        return new double[] {DATA.mean() - scale * l.alpha() * DATA.mean(), scale};
    }

    /** VE: the flow map from σ to σ_min, m + √(s² + σ_min²)/√(s² + σ²)·(x̃ − m). */
    private static double[] veToSigmaMin(NoiseLevel l, double sigmaMin) {
        double scale = Math.hypot(DATA.std(), sigmaMin) / Math.hypot(DATA.std(), l.veSigma());
        return new double[] {DATA.mean() - scale * DATA.mean(), scale};
    }

    private static StochasticFixtures.Moments sample(Sampler sampler, Denoiser d, Plan plan, long seed) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray start = DATA.start(m, N / DATA.dim(), plan.point(0), seed);
            NDArray out = new SamplingLoop(sampler, d, plan).run(start, Conditioning.NONE, new NoiseSource(seed), NoiseSource.range(0, N / DATA.dim()));
            return StochasticFixtures.moments(out.toFloatArray());
        }
    }

    private static void assertDistribution(String name, StochasticFixtures.Moments got, double mean, double var) {
        System.out.printf("%s: mean %.5f (exact %.5f ± %.5f), var %.5f (exact %.5f ± %.5f)%n", name, got.mean(), mean, 4 * got.meanSe(),
                got.var(), var, 4 * got.varSe());
        assertEquals(mean, got.mean(), 4 * got.meanSe(), name + ": mean");
        assertEquals(var, got.var(), 4 * got.varSe(), name + ": variance");
    }

    private static Plan lcmPlan(int... timesteps) {
        List<NoiseLevel> levels = new ArrayList<>();
        for (int t : timesteps) {
            levels.add(VP.level(t));
        }
        levels.add(NoiseLevel.clean(-1));
        return Plan.chain(VP, levels, 1.0);
    }

    @Test
    void lcmScalingsMeetTheBoundaryCondition() {
        Lcm lcm = new Lcm();
        assertEquals(1.0, lcm.cSkip(0), 0);
        assertEquals(0.0, lcm.cOut(0), 0);
        // by hand: τ·t = 10·999 = 9990; c_skip = 0.25/(9990² + 0.25), c_out = 9990/√(9990² + 0.25)
        assertEquals(0.25 / (9990.0 * 9990.0 + 0.25), lcm.cSkip(999), 1e-20);
        assertEquals(9990.0 / Math.sqrt(9990.0 * 9990.0 + 0.25), lcm.cOut(999), 1e-15);
    }

    @Test
    void lcmWithTheExactConsistencyFunctionSamplesTheDataAtAnyStepCount() {
        Lcm lcm = new Lcm();
        Denoiser d = parametrised(ConsistencySamplersTest::vpToData, l -> lcm.cSkip(l.t()), l -> lcm.cOut(l.t()));
        double var = DATA.std() * DATA.std();
        assertDistribution("lcm 1 step", sample(lcm, d, lcmPlan(999), 11), DATA.mean(), var);
        assertDistribution("lcm 4 steps", sample(lcm, d, lcmPlan(999, 759, 499, 259), 12), DATA.mean(), var);
        assertDistribution("lcm 10 steps", sample(lcm, d, lcmPlan(999, 899, 799, 699, 599, 499, 399, 299, 199, 99), 13), DATA.mean(), var);
    }

    /**
     * The denoiser's x̂₀ is the consistency function itself (the network's parametrisation is the model's
     * convention, tested with {@code CMStochasticIterativeScheduler}): here the exact VE map to σ_min.
     */
    @Test
    void consistencyMultistepWithTheExactConsistencyFunctionSamplesTheData() {
        ConsistencyMultistep cm = new ConsistencyMultistep(0.002, 80.0, 1.0, X0Clipping.NONE);
        Denoiser d = (x, level, cond) -> {
            double[] ab = veToSigmaMin(level, cm.sigmaMin());
            return Estimate.fromX0(x, x.div(level.alpha()).mul(ab[1]).add(ab[0]), level);
        };
        double var = DATA.std() * DATA.std() + cm.sigmaMin() * cm.sigmaMin();
        assertDistribution("consistency 1 step", sample(cm, d, Plans.karras(KarrasSigmas.EDM, 1), 21), DATA.mean(), var);
        assertDistribution("consistency 3 steps", sample(cm, d, Plans.karras(KarrasSigmas.EDM, 3), 22), DATA.mean(), var);
        assertDistribution("consistency 8 steps", sample(cm, d, Plans.karras(KarrasSigmas.EDM, 8), 23), DATA.mean(), var);
    }

    /** γ = 0 moves with DDIM's update along the plan: the same samples as {@link Ddim} with η = 0. */
    @Test
    void tcdWithGammaZeroIsDdim() {
        Plan plan = Plans.ddim(VP, 20, Spacing.LEADING, 1, true);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] tcd = StochasticFixtures.sample(m, new Tcd(0), DATA.denoiser(), plan, DATA.dim(), 64, 3);
            float[] ddim = StochasticFixtures.sample(m, new Ddim(), DATA.denoiser(), plan, DATA.dim(), 64, 3);
            for (int i = 0; i < tcd.length; i++) {
                assertEquals(ddim[i], tcd[i], 1e-5, "element " + i);
            }
        }
    }

    @Test
    void tcdWithGammaZeroConvergesAtFirstOrder() {
        double order = OdeFixtures.fitOrder("tcd gamma=0 (VP uniform t 999..20)", DATA, new Tcd(0), n -> Plans.uniform(VP, n, 999, 20),
                10, 20, 40, 80);
        assertEquals(1.0, order, 0.15);
    }

    /**
     * One stochastic step from t = 600 to t' = 400 with γ = 0.3: DDIM to s = ⌊0.7·400⌋ = 280, then forward noise
     * to t'; x' = (α'/α_s)·(α_s·x̂₀ + σ_s·ε̂) + √(σ'² − (α'/α_s)²·σ_s²)·z, checked with z = 0 and z = 1.
     */
    @Test
    void tcdStochasticStepIsDdimToSThenForwardNoise() {
        Plan plan = Plan.chain(VP, List.of(VP.level(600), VP.level(400), VP.level(0)), 1.0);
        NoiseLevel from = VP.level(600);
        NoiseLevel to = VP.level(400);
        NoiseLevel s = VP.level(280);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {-1.5f, -0.2f, 0.4f, 2.0f}, new Shape(1, 4));
            Estimate e = DATA.denoiser().denoise(x, from, Conditioning.NONE);
            float[] x0 = e.x0().toFloatArray();
            float[] eps = e.eps().toFloatArray();
            double ratio = to.alpha() / s.alpha();
            double std = Math.sqrt(to.sigma() * to.sigma() - ratio * ratio * s.sigma() * s.sigma());
            for (float z : new float[] {0f, 1f}) {
                StepContext ctx = new StepContext(DATA.denoiser(), plan, 0, Conditioning.NONE, k -> m.full(new Shape(1, 4), z));
                float[] got = new Tcd(0.3).step(ctx, x, History.EMPTY).x().toFloatArray();
                for (int i = 0; i < 4; i++) {
                    double expected = ratio * (s.alpha() * x0[i] + s.sigma() * eps[i]) + std * z;
                    assertEquals(expected, got[i], 2e-6, "z = " + z + ", element " + i);
                }
            }
            // the last step adds no noise: it ends at the DDIM move to s
            StepContext last = new StepContext(DATA.denoiser(), plan, 1, Conditioning.NONE, k -> {
                throw new AssertionError("no noise on the last step");
            });
            new Tcd(0.3).step(last, x, History.EMPTY);
        }
        assertEquals(VP.level(0), new Tcd(1.0).intermediate(VP, VP.level(400)), "gamma = 1 moves to t = 0, as diffusers");
    }

    @Test
    void badParametersSayWhatIsAllowed() {
        assertThrows(IllegalArgumentException.class, () -> new Tcd(1.5));
        assertThrows(IllegalArgumentException.class, () -> new Lcm(0, 0.5, X0Clipping.NONE));
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> new ConsistencyMultistep(1.0, 0.5, 1.0, X0Clipping.NONE));
        assertEquals("sigma_max must be > sigma_min, got sigma_min=1.0, sigma_max=0.5", range.getMessage());
    }
}
