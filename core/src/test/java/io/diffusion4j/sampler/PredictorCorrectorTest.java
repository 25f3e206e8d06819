package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static io.diffusion4j.sampler.StochasticFixtures.Moments;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PredictorCorrectorTest {
    private static final DiscreteVp VP = DiscreteVp.defaults();
    // The per-sample step-size rule needs many dimensions (see PredictorCorrector): d = 256.
    private final GaussianData data = new GaussianData(256, 0.3, 0.5);

    /**
     * 400 samples × 256 coordinates, 200 steps, one corrector step at r = 0.16. Known biases: the
     * predictor chain's (exact, StochasticFixtures.chain of ReverseSde: +3.5%) and the corrector's
     * stationary inflation (d + 2)/(d − 2)·(1 + r²) − 1 = +4.2% (derived in PredictorCorrector; a float64
     * simulation of this PC chain gives +3.6%). Tolerance: 4 SE + both.
     */
    @Test
    void matchesTheDataMoments() {
        PredictorCorrector pc = new PredictorCorrector();
        Plan plan = Plans.euler(VP, 200, Spacing.LINSPACE, 0, false);
        double var = data.std() * data.std();
        Moments predictor = StochasticFixtures.chain(new ReverseSde(), data, plan);
        double d = data.dim();
        double stationary = ((d + 2) / (d - 2) * (1 + pc.snr() * pc.snr()) - 1) * var;
        Moments got;
        try (NDManager m = NDManager.newBaseManager()) {
            got = StochasticFixtures.moments(StochasticFixtures.sample(m, pc, data.denoiser(), plan, data.dim(), 400, 21));
        }
        double meanTol = 4 * got.meanSe() + Math.abs(predictor.mean() - data.mean());
        double varTol = 4 * got.varSe() + Math.abs(predictor.var() - var) + stationary;
        System.out.printf("pc(1, 0.16) 200 steps d=256: mean %.5f (data %.5f, tol %.5f); var %.5f (data %.5f, %+.2f%%; predictor bias %+.2f%%, corrector bound %+.2f%%, tol %.5f)%n",
                got.mean(), data.mean(), meanTol, got.var(), var, 100 * (got.var() - var) / var,
                100 * (predictor.var() - var) / var, 100 * stationary / var, varTol);
        assertEquals(data.mean(), got.mean(), meanTol, "mean");
        assertEquals(var, got.var(), varTol, "variance");
    }

    /** Song et al. 2021 §4.2: correction fixes a coarse predictor. 25 steps: the SDE alone is +34% off in variance. */
    @Test
    void theCorrectorPullsACoarsePredictorTowardsTheData() {
        Plan plan = Plans.euler(VP, 25, Spacing.LINSPACE, 0, false);
        double var = data.std() * data.std();
        try (NDManager m = NDManager.newBaseManager()) {
            double sde = StochasticFixtures.moments(StochasticFixtures.sample(m, new ReverseSde(), data.denoiser(), plan, data.dim(), 200, 5)).var() - var;
            double pc = StochasticFixtures.moments(StochasticFixtures.sample(m, new PredictorCorrector(3, 0.16), data.denoiser(), plan, data.dim(), 200, 5)).var() - var;
            System.out.printf("25 steps: variance bias reverse SDE %+.2f%%, PC(3 corrector steps) %+.2f%%%n", 100 * sde / var, 100 * pc / var);
            assertTrue(sde > 0.25 * var, "the coarse predictor alone should be far off: " + sde);
            assertTrue(Math.abs(pc) < 0.6 * sde, "corrector must remove much of the predictor's bias: " + pc + " vs " + sde);
        }
    }

    @Test
    void withoutCorrectionItIsTheReverseSde() {
        Plan plan = Plans.euler(VP, 20, Spacing.LINSPACE, 0, false);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] pc = StochasticFixtures.sample(m, new PredictorCorrector(0, 0.16), data.denoiser(), plan, data.dim(), 16, 9);
            float[] sde = StochasticFixtures.sample(m, new ReverseSde(), data.denoiser(), plan, data.dim(), 16, 9);
            assertArrayEquals(sde, pc);
        }
    }

    /** evaluations() counts what the loop really calls: no correction after a step to the clean sample. */
    @Test
    void evaluationsCountTheDenoiserCalls() {
        Plan clean = Plans.euler(VP, 10, Spacing.LINSPACE, 0, false);
        Plan noisy = Plans.uniform(VP, 10, 999, 20);
        PredictorCorrector pc = new PredictorCorrector(2, 0.16);
        assertEquals(10 * 3 - 2, pc.evaluations(clean));
        assertEquals(10 * 3, pc.evaluations(noisy));
        for (Plan plan : new Plan[] {clean, noisy}) {
            AtomicInteger calls = new AtomicInteger();
            Denoiser counting = (x, level, cond) -> {
                calls.incrementAndGet();
                return data.denoiser().denoise(x, level, cond);
            };
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray start = m.zeros(new ai.djl.ndarray.types.Shape(2, data.dim()));
                new SamplingLoop(pc, counting, plan).run(start, Conditioning.NONE, new NoiseSource(0), NoiseSource.range(0, 2));
            }
            assertEquals(pc.evaluations(plan), calls.get());
        }
    }

    @Test
    void badInputIsRejectedWithTheParameterName() {
        for (double snr : new double[] {0, -0.1, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new PredictorCorrector(1, snr));
            assertTrue(e.getMessage().contains("snr"), e.getMessage());
        }
        for (int steps : new int[] {-1, PredictorCorrector.MAX_CORRECTOR_STEPS + 1}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new PredictorCorrector(steps, 0.16));
            assertTrue(e.getMessage().contains("correctorSteps"), e.getMessage());
        }
    }
}
