package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.Plan;

import java.util.Arrays;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Moment checks of the stochastic samplers on Gaussian data N(m, s²·I).
 *
 * <p>With the exact denoiser every step of Ddpm, Ddim, EulerAncestral and ReverseSde is affine in
 * (x, z): x' = A·x + B + C·z, the same for each coordinate, with one noise draw z per step (the
 * nonlinear PredictorCorrector is checked otherwise). {@link #chain} reads A, B, C off the
 * sampler itself, step by step, and propagates the mean and variance exactly: that gives the
 * discretisation bias of the chain (chain moments − data moments) without any sampling. The Monte
 * Carlo moments of {@link #moments} must then lie within 4 standard errors of the chain's moments,
 * and within 4 standard errors plus the bias of the data's.
 */
final class StochasticFixtures {
    private StochasticFixtures() {}

    /** Per-coordinate mean and variance, pooled over {@code count} i.i.d. values. */
    record Moments(double mean, double var, long count) {
        /** Standard error of the mean. */
        double meanSe() {
            return Math.sqrt(var / count);
        }

        /** Standard error of the variance of Gaussian values: v·√(2/(n − 1)). */
        double varSe() {
            return var * Math.sqrt(2.0 / (count - 1));
        }
    }

    /** Samples images 0 … n−1 of {@code seed} from pure noise; rows flattened. */
    static float[] sample(NDManager m, Sampler sampler, Denoiser denoiser, Plan plan, int dim, int n, long seed) {
        NDArray out = new SamplingLoop(sampler, denoiser, plan)
                .sample(m, new Shape(dim), Conditioning.NONE, new NoiseSource(seed), NoiseSource.range(0, n));
        return out.toFloatArray();
    }

    /**
     * Samples {@code n} images of {@code data} (seed: the hash of {@code name}, so that checks do not
     * share noise) and asserts {@link #assertMatches} against the exact chain.
     */
    static void checkMoments(String name, Sampler sampler, Plan plan, GaussianData data, int n) {
        try (NDManager m = NDManager.newBaseManager()) {
            Moments got = moments(sample(m, sampler, data.denoiser(), plan, data.dim(), n, name.hashCode()));
            assertMatches(name, got, chain(sampler, data, plan), data.mean(), data.std() * data.std());
        }
    }

    /** Mean and variance of all values (two-pass, in double). */
    static Moments moments(float[] v) {
        double mean = 0;
        for (float x : v) {
            mean += x;
        }
        mean /= v.length;
        double ss = 0;
        for (float x : v) {
            ss += (x - mean) * (x - mean);
        }
        return new Moments(mean, ss / (v.length - 1), v.length);
    }

    /** Exact output moments of {@code sampler} over {@code plan} from x_T = initNoiseScale·ε (see class comment). */
    static Moments chain(Sampler sampler, GaussianData data, Plan plan) {
        int d = data.dim();
        Shape shape = new Shape(2, d);
        double mean = 0;
        double var = plan.initNoiseScale() * plan.initNoiseScale();
        try (NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < plan.steps(); i++) {
                try (NDManager sub = m.newSubManager()) {
                    float[] rows = new float[2 * d];
                    Arrays.fill(rows, d, 2 * d, 1f);
                    NDArray x = sub.create(rows, shape);
                    float[] quiet = step(sampler, data, plan, i, x, k -> sub.zeros(shape));
                    float[] noisy = step(sampler, data, plan, i, sub.zeros(shape), k -> sub.ones(shape));
                    double b = quiet[0];
                    double a = quiet[d] - b;
                    double c = noisy[0] - b;
                    mean = a * mean + b;
                    var = a * a * var + c * c;
                }
            }
        }
        return new Moments(mean, var, Long.MAX_VALUE);
    }

    private static float[] step(Sampler sampler, GaussianData data, Plan plan, int i, NDArray x, StepNoise noise) {
        StepContext ctx = new StepContext(data.denoiser(), plan, i, Conditioning.NONE, noise);
        return sampler.step(ctx, x, History.EMPTY).x().toFloatArray();
    }

    /**
     * Asserts that {@code got} matches the data within 4 standard errors plus the chain's bias, and the
     * chain within 4 standard errors; prints the numbers. The chain is read off the sampler under test,
     * so its bias is also capped independently: at most 4% of the data's variance and 2% of its scale in
     * the mean (every sampler tested here runs ≥ 200 steps, where the measured biases are ≤ 3.6%); a wrong
     * noise scale cannot widen its own tolerance past that.
     */
    static void assertMatches(String name, Moments got, Moments chain, double dataMean, double dataVar) {
        assertTrue(Math.abs(chain.var() - dataVar) <= 0.04 * dataVar, name + ": chain variance bias " + (chain.var() - dataVar));
        assertTrue(Math.abs(chain.mean() - dataMean) <= 0.02 * Math.sqrt(dataVar), name + ": chain mean bias " + (chain.mean() - dataMean));
        double meanTol = 4 * got.meanSe() + Math.abs(chain.mean() - dataMean);
        double varTol = 4 * got.varSe() + Math.abs(chain.var() - dataVar);
        System.out.printf("%s: mean %.5f (data %.5f, chain bias %+.2e, tol %.5f); var %.5f (data %.5f, chain bias %+.2e = %+.2f%%, tol %.5f)%n",
                name, got.mean(), dataMean, chain.mean() - dataMean, meanTol, got.var(), dataVar,
                chain.var() - dataVar, 100 * (chain.var() - dataVar) / dataVar, varTol);
        assertEquals(dataMean, got.mean(), meanTol, name + ": mean vs data");
        assertEquals(dataVar, got.var(), varTol, name + ": variance vs data");
        assertEquals(chain.mean(), got.mean(), 4 * got.meanSe(), name + ": mean vs exact chain");
        assertEquals(chain.var(), got.var(), 4 * got.varSe(), name + ": variance vs exact chain");
    }

    /**
     * The weak order of the chain: the slope of −log|variance bias| against log(steps), from {@link
     * #chain} (no sampling). Asserts the bias falls with every refinement.
     */
    static double biasOrder(String name, Sampler sampler, GaussianData data, IntFunction<Plan> plans, int... steps) {
        double[] bias = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            bias[i] = Math.abs(chain(sampler, data, plans.apply(steps[i])).var() - data.std() * data.std());
        }
        double order = GaussianData.order(steps, bias);
        System.out.printf("%s: steps %s |variance bias| %s weak order %.3f%n", name, Arrays.toString(steps), Arrays.toString(bias), order);
        for (int i = 1; i < bias.length; i++) {
            assertTrue(bias[i] < bias[i - 1], name + ": the bias must fall with more steps: " + Arrays.toString(bias));
        }
        return order;
    }
}
