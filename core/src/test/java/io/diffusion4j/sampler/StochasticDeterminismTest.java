package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.GaussianMixtureDenoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Every stochastic sampler: same seed → the same bits; another seed → other samples; an image's bits do
 * not depend on the batch it is sampled in (CONTRACT.md, "Per-image seeds").
 */
class StochasticDeterminismTest {
    private static final DiscreteVp VP = DiscreteVp.defaults();
    private static final Shape IMAGE = new Shape(2, 2, 2);
    private final GaussianMixtureDenoiser mixture = new GaussianMixtureDenoiser(
            new double[][] {filled(-0.5), filled(0.5)}, new double[] {0.3, 0.2}, new double[] {0.4, 0.6});

    private static Map<String, SamplingLoop> loops(GaussianMixtureDenoiser d) {
        Plan ddpmPlan = Plans.ddim(VP, 20, Spacing.LEADING, 1, true);
        Plan eulerPlan = Plans.euler(VP, 20, Spacing.LINSPACE, 0, true);
        Map<String, SamplingLoop> loops = new LinkedHashMap<>();
        loops.put("ddpm fixed_small", new SamplingLoop(Ddpm.diffusersDefaults(), d, ddpmPlan));
        loops.put("ddpm fixed_large", new SamplingLoop(new Ddpm(Ddpm.Variance.FIXED_LARGE, X0Clipping.NONE), d, ddpmPlan));
        loops.put("ddim eta=1", new SamplingLoop(new Ddim(1.0), d, ddpmPlan));
        loops.put("euler-a", new SamplingLoop(new EulerAncestral(), d, eulerPlan));
        loops.put("reverse SDE", new SamplingLoop(new ReverseSde(), d, eulerPlan));
        loops.put("predictor-corrector", new SamplingLoop(new PredictorCorrector(2, 0.16), d, eulerPlan));
        return loops;
    }

    @Test
    void sameSeedSameBitsOtherSeedOtherSamples() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (Map.Entry<String, SamplingLoop> e : loops(mixture).entrySet()) {
                float[] a = sample(m, e.getValue(), 42, NoiseSource.range(0, 8));
                float[] b = sample(m, e.getValue(), 42, NoiseSource.range(0, 8));
                float[] c = sample(m, e.getValue(), 43, NoiseSource.range(0, 8));
                assertArrayEquals(a, b, e.getKey() + ": same seed must give the same bits");
                assertFalse(Arrays.equals(a, c), e.getKey() + ": another seed must give other samples");
                for (float v : a) {
                    assertFalse(Float.isNaN(v) || Float.isInfinite(v), e.getKey() + ": non-finite sample");
                }
            }
        }
    }

    @Test
    void imagesDoNotDependOnTheirBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (Map.Entry<String, SamplingLoop> e : loops(mixture).entrySet()) {
                float[] whole = sample(m, e.getValue(), 7, NoiseSource.range(0, 8));
                float[] first = sample(m, e.getValue(), 7, NoiseSource.range(0, 4));
                float[] second = sample(m, e.getValue(), 7, NoiseSource.range(4, 4));
                float[] joined = Arrays.copyOf(first, whole.length);
                System.arraycopy(second, 0, joined, first.length, second.length);
                assertArrayEquals(whole, joined, e.getKey() + ": rows of one batch of 8 vs two batches of 4");
                float[] reversed = sample(m, e.getValue(), 7, new long[] {7, 6, 5, 4});
                int per = (int) IMAGE.size();
                for (int r = 0; r < 4; r++) {
                    assertArrayEquals(Arrays.copyOfRange(whole, (7 - r) * per, (8 - r) * per),
                            Arrays.copyOfRange(reversed, r * per, (r + 1) * per), e.getKey() + ": image " + (7 - r) + " in another order");
                }
            }
        }
    }

    private static float[] sample(NDManager m, SamplingLoop loop, long seed, long[] images) {
        NDArray out = loop.sample(m, IMAGE, Conditioning.NONE, new NoiseSource(seed), images);
        return out.toFloatArray();
    }

    private static double[] filled(double v) {
        double[] a = new double[(int) IMAGE.size()];
        Arrays.fill(a, v);
        return a;
    }
}
