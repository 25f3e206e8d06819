package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.GaussianMixtureDenoiser;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ReverseSdeTest {
    private static final DiscreteVp VP = DiscreteVp.defaults();
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);

    // 10,000 samples × 4 coordinates; tolerance 4 SE + the exact chain bias (StochasticFixtures).
    @Test
    void matchesTheDataMomentsOnTheEulerPlan() {
        StochasticFixtures.checkMoments("reverse SDE, 1000 linspace steps", new ReverseSde(), Plans.euler(VP, 1000, Spacing.LINSPACE, 0, false), data, 10_000);
    }

    @Test
    void matchesTheDataMomentsOnADdpmPlan() {
        StochasticFixtures.checkMoments("reverse SDE, 500 DDPM leading steps", new ReverseSde(), Plans.ddim(VP, 500, Spacing.LEADING, 1, true), data, 10_000);
    }

    @Test
    void convergesAtFirstOrder() {
        double order = StochasticFixtures.biasOrder("reverse SDE", new ReverseSde(), data,
                n -> Plans.euler(VP, n, Spacing.LINSPACE, 0, false), 100, 200, 500, 1000);
        assertEquals(1.0, order, 0.25);
    }

    /** The last step lands on x̂₀ and draws no noise. */
    @Test
    void theStepToTheCleanSampleIsX0WithoutNoise() {
        Plan plan = Plans.euler(VP, 10, Spacing.LINSPACE, 0, false);
        int last = plan.steps() - 1;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = data.start(m, 32, plan.point(last), 4);
            StepNoise refuse = k -> {
                throw new AssertionError("noise drawn on the step to the clean sample");
            };
            StepContext ctx = new StepContext(data.denoiser(), plan, last, Conditioning.NONE, refuse);
            float[] got = new ReverseSde().step(ctx, x, History.EMPTY).x().toFloatArray();
            float[] x0 = data.denoiser().denoise(x, plan.point(last), Conditioning.NONE).x0().toFloatArray();
            assertArrayEquals(x0, got, 1e-6f);
        }
    }

    /**
     * A bimodal mixture 0.3·N((−1,−1), 0.3²I) + 0.7·N((1,1), 0.3²I), 4,000 samples, 500 steps. Mode
     * weight: SE √(0.21/4000) = 0.0072; within-mode std: SE 0.3/√(2·8000) = 0.0024; mean: SE
     * √(0.93/8000) = 0.011. Discretisation bias, from a float64 simulation of this chain with 400,000
     * samples: weight −0.002, std +0.003, mean −0.003 (each ±0.001). Tolerance: 4 SE + 0.005.
     */
    @Test
    void findsBothModesOfAMixtureWithTheirWeights() {
        GaussianMixtureDenoiser mixture = new GaussianMixtureDenoiser(new double[][] {{-1, -1}, {1, 1}}, new double[] {0.3, 0.3}, new double[] {0.3, 0.7});
        int n = 4000;
        float[] v;
        try (NDManager m = NDManager.newBaseManager()) {
            v = StochasticFixtures.sample(m, new ReverseSde(), mixture, Plans.euler(VP, 500, Spacing.LINSPACE, 0, false), 2, n, 11);
        }
        int high = 0;
        double mean = 0;
        double within = 0;
        for (int r = 0; r < n; r++) {
            double mode = v[2 * r] + v[2 * r + 1] > 0 ? 1 : -1;
            high += mode > 0 ? 1 : 0;
            for (int j = 0; j < 2; j++) {
                mean += v[2 * r + j] / (2.0 * n);
                within += (v[2 * r + j] - mode) * (v[2 * r + j] - mode) / (2.0 * n);
            }
        }
        double weight = (double) high / n;
        double std = Math.sqrt(within);
        System.out.printf("reverse SDE mixture: weight %.4f (0.7), within-mode std %.4f (0.3), mean %.4f (0.4)%n", weight, std, mean);
        assertEquals(0.7, weight, 4 * 0.0072 + 0.005, "weight of the (1, 1) mode");
        assertEquals(0.3, std, 4 * 0.0024 + 0.005, "within-mode standard deviation");
        assertEquals(0.4, mean, 4 * 0.011 + 0.005, "mixture mean");
    }
}
