package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.GaussianMixtureDenoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.FinalSigma;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DPM-Solver++ against an independent float64 re-implementation, inside this test, of diffusers'
 * {@code DPMSolverMultistepScheduler.step} ({@code algorithm_type = "dpmsolver++"}): the σ list, the
 * mutable {@code model_outputs} / {@code lower_order_nums} bookkeeping, the final-step rules and the
 * D₀/D₁/D₂ updates written as diffusers writes them, with the exact denoiser of a 1-D two-component
 * Gaussian mixture (bimodal, so x̂₀ bends along the trajectory and the higher-order terms matter).
 */
class DpmSolverDiffusersEquivalenceTest {
    private static final double[] MEANS = {-0.6, 0.8};
    private static final double[] STDS = {0.2, 0.3};
    private static final double[] WEIGHTS = {0.4, 0.6};
    private final GaussianMixtureDenoiser denoiser =
            new GaussianMixtureDenoiser(new double[][] {{MEANS[0]}, {MEANS[1]}}, STDS, WEIGHTS);

    @ParameterizedTest(name = "order {0} {1}, {2} steps, karras={3}, final={4}")
    @CsvSource({
        "2, MIDPOINT, 10, false, ZERO",
        "2, MIDPOINT, 20, false, ZERO",
        "2, HEUN, 20, false, SIGMA_MIN",
        "2, MIDPOINT, 20, true, SIGMA_MIN",
        "2, MIDPOINT, 12, true, ZERO",
        "3, MIDPOINT, 12, false, ZERO",
        "3, MIDPOINT, 20, true, SIGMA_MIN"})
    void matchesDiffusersStepByStep(int order, DpmSolverPlusPlus.SolverType type, int steps, boolean karras, FinalSigma end) {
        DiscreteVp vp = DiscreteVp.defaults();
        Plan plan = Plans.dpmSolver(vp, steps, Spacing.LINSPACE, 0, end, karras);
        DpmSolverPlusPlus solver = new DpmSolverPlusPlus(order).withSolverType(type);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray start = new NoiseSource(3).normal(m, new Shape(1), NoiseSource.range(0, 16), 0);
            OdeFixtures.Trajectory run = OdeFixtures.trajectory(denoiser, start, solver, plan);
            boolean heun = type == DpmSolverPlusPlus.SolverType.HEUN;
            double[][] expected = diffusers(diffusersSigmas(vp, plan, karras, end), order, heun, run.start());
            double worst = 0;
            for (int i = 0; i < steps; i++) {
                double diff = OdeFixtures.maxAbsDiff(run.x()[i], expected[i]);
                worst = Math.max(worst, diff);
                assertTrue(diff < 1e-5, "step " + i + ": " + Arrays.toString(run.x()[i]) + " vs " + Arrays.toString(expected[i]));
            }
            System.out.printf("DPM++ order %d %s %d steps karras=%s %s: max |ours - diffusers(float64)| = %.2g%n",
                    order, type, steps, karras, end, worst);
        }
    }

    /** diffusers' {@code sigmas}: σ_ve = √((1 − ᾱ_t)/ᾱ_t) at the timesteps (or the Karras ramp), then the final σ. */
    private static double[] diffusersSigmas(DiscreteVp vp, Plan plan, boolean karras, FinalSigma end) {
        int n = plan.steps();
        double[] table = new double[vp.trainSteps()];
        for (int t = 0; t < table.length; t++) {
            table[t] = Math.sqrt((1 - vp.alphaBar(t)) / vp.alphaBar(t));
        }
        double[] sigmas = new double[n + 1];
        double[] ramp = KarrasSigmas.ramp(table[0], table[table.length - 1], 7.0, n);
        for (int i = 0; i < n; i++) {
            sigmas[i] = karras ? ramp[i] : table[(int) plan.timesteps()[i]];
        }
        sigmas[n] = end == FinalSigma.ZERO ? 0.0 : table[0];
        return sigmas;
    }

    /** The scheduler's trajectory: row j of the result is the sample after step j, per start value. */
    private static double[][] diffusers(double[] sigmas, int solverOrder, boolean heun, float[] start) {
        int n = sigmas.length - 1;
        boolean lowerOrderFinalConfig = true;
        boolean finalZero = sigmas[n] == 0;
        double[][] out = new double[n][start.length];
        for (int row = 0; row < start.length; row++) {
            double sample = start[row];
            double[] modelOutputs = new double[solverOrder];   // oldest first, as diffusers' list
            int lowerOrderNums = 0;
            for (int stepIndex = 0; stepIndex < n; stepIndex++) {
                boolean lowerOrderFinal = stepIndex == n - 1 && ((lowerOrderFinalConfig && n < 15) || finalZero);
                boolean lowerOrderSecond = stepIndex == n - 2 && lowerOrderFinalConfig && n < 15;
                double[] as = alphaSigma(sigmas[stepIndex]);
                double x0 = posteriorMean(sample, as[0], as[1]);
                System.arraycopy(modelOutputs, 1, modelOutputs, 0, solverOrder - 1);
                modelOutputs[solverOrder - 1] = x0;
                if (Math.abs(lambda(sigmas[stepIndex + 1]) - lambda(sigmas[stepIndex])) < 1e-9) {
                    // The one deliberate difference: a repeated σ (Karras + sigma_min) gives 0/0 in diffusers'
                    // heun and third-order coefficients (NaN); ours keeps the sample, as midpoint 2M does.
                    assertTrue(stepIndex == n - 1, "only the sigma_min end repeats a level");
                } else if (solverOrder == 1 || lowerOrderNums < 1 || lowerOrderFinal) {
                    sample = firstOrder(sigmas, stepIndex, sample, x0);
                } else if (solverOrder == 2 || lowerOrderNums < 2 || lowerOrderSecond) {
                    sample = secondOrder(sigmas, stepIndex, sample, modelOutputs, heun);
                } else {
                    sample = thirdOrder(sigmas, stepIndex, sample, modelOutputs);
                }
                if (lowerOrderNums < solverOrder) {
                    lowerOrderNums++;
                }
                out[stepIndex][row] = sample;
            }
        }
        return out;
    }

    /** E[x₀ | x] of the mixture at (α, σ), in double: posterior weights times per-component posterior means. */
    private static double posteriorMean(double x, double alpha, double sigma) {
        double[] logp = new double[MEANS.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < MEANS.length; k++) {
            double var = alpha * alpha * STDS[k] * STDS[k] + sigma * sigma;
            double d = x - alpha * MEANS[k];
            logp[k] = Math.log(WEIGHTS[k]) - 0.5 * d * d / var - 0.5 * Math.log(var);
            max = Math.max(max, logp[k]);
        }
        double z = 0;
        double sum = 0;
        for (int k = 0; k < MEANS.length; k++) {
            double w = Math.exp(logp[k] - max);
            double var = alpha * alpha * STDS[k] * STDS[k] + sigma * sigma;
            z += w;
            sum += w * (MEANS[k] + alpha * STDS[k] * STDS[k] / var * (x - alpha * MEANS[k]));
        }
        return sum / z;
    }

    /** diffusers {@code _sigma_to_alpha_sigma_t}: α = 1/√(σ² + 1), σ_t = σ·α. */
    private static double[] alphaSigma(double sigma) {
        double alpha = 1 / Math.sqrt(sigma * sigma + 1);
        return new double[] {alpha, sigma * alpha};
    }

    private static double lambda(double sigma) {
        double[] as = alphaSigma(sigma);
        return Math.log(as[0]) - Math.log(as[1]);
    }

    private static double firstOrder(double[] sigmas, int i, double sample, double x0) {
        double[] t = alphaSigma(sigmas[i + 1]);
        double[] s = alphaSigma(sigmas[i]);
        double h = lambda(sigmas[i + 1]) - lambda(sigmas[i]);
        return (t[1] / s[1]) * sample - t[0] * (Math.exp(-h) - 1.0) * x0;
    }

    private static double secondOrder(double[] sigmas, int i, double sample, double[] outputs, boolean heun) {
        double[] t = alphaSigma(sigmas[i + 1]);
        double[] s0 = alphaSigma(sigmas[i]);
        double m0 = outputs[outputs.length - 1];
        double m1 = outputs[outputs.length - 2];
        double h = lambda(sigmas[i + 1]) - lambda(sigmas[i]);
        double h0 = lambda(sigmas[i]) - lambda(sigmas[i - 1]);
        double r0 = h0 / h;
        double d1 = (1.0 / r0) * (m0 - m1);
        double base = (t[1] / s0[1]) * sample - t[0] * (Math.exp(-h) - 1.0) * m0;
        return heun ? base + t[0] * ((Math.exp(-h) - 1.0) / h + 1.0) * d1
                : base - 0.5 * (t[0] * (Math.exp(-h) - 1.0)) * d1;
    }

    private static double thirdOrder(double[] sigmas, int i, double sample, double[] outputs) {
        double[] t = alphaSigma(sigmas[i + 1]);
        double[] s0 = alphaSigma(sigmas[i]);
        double m0 = outputs[2];
        double m1 = outputs[1];
        double m2 = outputs[0];
        double h = lambda(sigmas[i + 1]) - lambda(sigmas[i]);
        double h0 = lambda(sigmas[i]) - lambda(sigmas[i - 1]);
        double h1 = lambda(sigmas[i - 1]) - lambda(sigmas[i - 2]);
        double r0 = h0 / h;
        double r1 = h1 / h;
        double d10 = (1.0 / r0) * (m0 - m1);
        double d11 = (1.0 / r1) * (m1 - m2);
        double d1 = d10 + r0 / (r0 + r1) * (d10 - d11);
        double d2 = 1.0 / (r0 + r1) * (d10 - d11);
        return (t[1] / s0[1]) * sample - t[0] * (Math.exp(-h) - 1.0) * m0
                + t[0] * ((Math.exp(-h) - 1.0) / h + 1.0) * d1
                - t[0] * ((Math.exp(-h) - 1.0 + h) / (h * h) - 0.5) * d2;
    }
}
