package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.model.NetworkDenoiser;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.sampler.Ddim;
import io.diffusion4j.sampler.X0Clipping;
import io.diffusion4j.schedule.BetaSchedule;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import static io.diffusion4j.diffusers.DiffusersFixtures.DUMMY_MODEL;
import static io.diffusion4j.diffusers.DiffusersFixtures.assertStats;
import static io.diffusion4j.diffusers.DiffusersFixtures.noiseDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.run;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.tail;

/**
 * Our {@link Ddim} (η = 0) on {@link Plans#ddim} against the constants of diffusers'
 * {@code tests/schedulers/test_scheduler_ddim.py} ({@code DDIMSchedulerTest}).
 *
 * <p>The suite's loop ({@code full_loop}): scheduler config T = 1000, linear β from 1e-4 to 0.02,
 * {@code clip_sample=True} (range 1), default {@code leading} spacing with offset 0; 10 steps, η = 0; the
 * start is {@code dummy_sample_deter} itself ({@code init_noise_sigma} = 1, no scaling of the model input);
 * the model is {@code dummy_model} called with the integer timestep; each step's output is the next input.
 * DDIM's sample is already our native x = α·x₀ + σ·ε, so no conversion is needed.
 */
class DiffusersDdimTest {

    private static DiscreteVp vp(double betaStart) {
        return DiscreteVp.of(BetaSchedule.LINEAR, 1000, betaStart, 0.02);
    }

    private static final Ddim CLIPPED = new Ddim(0.0, new X0Clipping.Clamp(1.0), false);

    private static NDArray fullLoop(NDManager m, DiscreteVp vp, Prediction prediction, boolean setAlphaToOne) {
        Plan plan = Plans.ddim(vp, 10, Spacing.LEADING, 0, setAlphaToOne);
        return run(CLIPPED, new NetworkDenoiser(DUMMY_MODEL, prediction), plan, sampleDeter(m));
    }

    /** test_full_loop_no_noise: 172.0067 ± 1e-2, 0.223967 ± 1e-3. */
    @Test
    void fullLoopNoNoise() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = fullLoop(m, vp(1e-4), Prediction.EPSILON, true);
            assertStats("DDIMScheduler test_full_loop_no_noise", x, 172.0067, 1e-2, 0.223967, 1e-3);
        }
    }

    /** test_full_loop_with_v_prediction: 52.5302 ± 1e-2, 0.0684 ± 1e-3. */
    @Test
    void fullLoopWithVPrediction() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = fullLoop(m, vp(1e-4), Prediction.V, true);
            assertStats("DDIMScheduler test_full_loop_with_v_prediction", x, 52.5302, 1e-2, 0.0684, 1e-3);
        }
    }

    /** test_full_loop_with_set_alpha_to_one (β_start = 0.01, so ᾱ_0 = 0.99): 149.8295 ± 1e-2, 0.1951 ± 1e-3. */
    @Test
    void fullLoopWithSetAlphaToOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = fullLoop(m, vp(0.01), Prediction.EPSILON, true);
            assertStats("DDIMScheduler test_full_loop_with_set_alpha_to_one", x, 149.8295, 1e-2, 0.1951, 1e-3);
        }
    }

    /** test_full_loop_with_no_set_alpha_to_one (β_start = 0.01): 149.0784 ± 1e-2, 0.1941 ± 1e-3. */
    @Test
    void fullLoopWithNoSetAlphaToOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = fullLoop(m, vp(0.01), Prediction.EPSILON, false);
            assertStats("DDIMScheduler test_full_loop_with_no_set_alpha_to_one", x, 149.0784, 1e-2, 0.1941, 1e-3);
        }
    }

    /**
     * test_full_loop_with_noise: {@code add_noise(dummy_sample_deter, dummy_noise_deter, timesteps[8])}
     * (t = 100 of 900, 800, …, 0), then the last two steps: 354.5418 ± 1e-2, 0.4616 ± 1e-3.
     */
    @Test
    void fullLoopWithNoise() {
        try (NDManager m = NDManager.newBaseManager()) {
            Plan plan = tail(Plans.ddim(vp(1e-4), 10, Spacing.LEADING, 0, true), 8);
            NoiseLevel start = plan.point(0);
            NDArray noisy = sampleDeter(m).mul(start.alpha()).add(noiseDeter(m).mul(start.sigma()));
            NDArray x = run(CLIPPED, new NetworkDenoiser(DUMMY_MODEL, Prediction.EPSILON), plan, noisy);
            assertStats("DDIMScheduler test_full_loop_with_noise", x, 354.5418, 1e-2, 0.4616, 1e-3);
        }
    }
}
