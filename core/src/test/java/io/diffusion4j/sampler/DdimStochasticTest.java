package io.diffusion4j.sampler;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** DDIM with η = 1 (the existing {@link Ddim} record) as a stochastic sampler. */
class DdimStochasticTest {
    private static final DiscreteVp VP = DiscreteVp.defaults();
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);

    // 10,000 samples × 4 coordinates; tolerance 4 SE + the exact chain bias (StochasticFixtures).
    @Test
    void etaOneMatchesTheDataMoments() {
        StochasticFixtures.checkMoments("ddim eta=1, 500 trailing steps", new Ddim(1.0), Plans.ddim(VP, 500, Spacing.TRAILING, 0, true), data, 10_000);
    }

    @Test
    void etaOneConvergesAtFirstOrder() {
        double order = StochasticFixtures.biasOrder("ddim eta=1", new Ddim(1.0), data,
                n -> Plans.ddim(VP, n, Spacing.TRAILING, 0, true), 100, 200, 500, 1000);
        assertEquals(1.0, order, 0.25);
    }

    /** Song et al. 2021 (DDIM) eq. 16: η = 1 is DDPM with the β̃ variance; same seed, same samples up to round-off. */
    @Test
    void etaOneIsDdpmWithTheSmallVariance() {
        Plan plan = Plans.ddim(VP, 50, Spacing.LEADING, 1, true);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] ddim = StochasticFixtures.sample(m, new Ddim(1.0), data.denoiser(), plan, data.dim(), 256, 5);
            float[] ddpm = StochasticFixtures.sample(m, new Ddpm(), data.denoiser(), plan, data.dim(), 256, 5);
            double maxDiff = 0;
            for (int i = 0; i < ddim.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(ddim[i] - ddpm[i]));
            }
            assertEquals(0, maxDiff, 1e-5, "DDIM(eta=1) vs DDPM(fixed_small)");
        }
    }
}
