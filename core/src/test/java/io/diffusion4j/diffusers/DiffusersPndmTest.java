package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.assertStats;
import static io.diffusion4j.diffusers.DiffusersFixtures.fullLoop;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.scheduler;
import static io.diffusion4j.diffusers.DiffusersFixtures.vpConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code PNDMScheduler} through the diffusers-style API against the constants of diffusers'
 * {@code tests/schedulers/test_scheduler_pndm.py} ({@code PNDMSchedulerTest}): T = 1000, linear β 1e-4 …
 * 0.02, 10 steps, {@code leading} spacing. The suite's {@code full_loop} starts at {@code dummy_sample_deter}
 * and calls {@code step_prk} over {@code prk_timesteps} then {@code step_plms} over {@code plms_timesteps},
 * which together are {@code timesteps} and what {@code step} dispatches to: here the loop over {@link
 * SchedulerRun#timesteps()} with {@link SchedulerRun#step}. No {@code scale_model_input} (it is the identity).
 */
class DiffusersPndmTest {
    private static Scheduler pndm(Map<String, Object> fields) {
        return scheduler("PNDMScheduler", fields);
    }

    /** test_full_loop_no_noise: 198.1318 ± 1e-2, 0.2580 ± 1e-3. */
    @Test
    void fullLoopNoNoise() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("PNDM test_full_loop_no_noise", fullLoop(pndm(vpConfig()), sampleDeter(m)), 198.1318, 1e-2, 0.2580, 1e-3);
        }
    }

    /** test_full_loop_with_v_prediction: 67.3986 ± 1e-2, 0.0878 ± 1e-3 (the combinations are of v, as in diffusers). */
    @Test
    void fullLoopWithVPrediction() {
        Map<String, Object> c = vpConfig();
        c.put("prediction_type", "v_prediction");
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("PNDM test_full_loop_with_v_prediction", fullLoop(pndm(c), sampleDeter(m)), 67.3986, 1e-2, 0.0878, 1e-3);
        }
    }

    /** test_full_loop_with_set_alpha_to_one (β_start = 0.01): 230.0399 ± 1e-2, 0.2995 ± 1e-3. */
    @Test
    void fullLoopWithSetAlphaToOne() {
        Map<String, Object> c = vpConfig();
        c.put("set_alpha_to_one", true);
        c.put("beta_start", 0.01);
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("PNDM test_full_loop_with_set_alpha_to_one", fullLoop(pndm(c), sampleDeter(m)), 230.0399, 1e-2, 0.2995, 1e-3);
        }
    }

    /** test_full_loop_with_no_set_alpha_to_one (β_start = 0.01): 186.9482 ± 1e-2, 0.2434 ± 1e-3. */
    @Test
    void fullLoopWithNoSetAlphaToOne() {
        Map<String, Object> c = vpConfig();
        c.put("set_alpha_to_one", false);
        c.put("beta_start", 0.01);
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("PNDM test_full_loop_with_no_set_alpha_to_one", fullLoop(pndm(c), sampleDeter(m)), 186.9482, 1e-2, 0.2434, 1e-3);
        }
    }

    /** test_steps_offset: with steps_offset = 1 the 19 timesteps repeat entries during the Runge–Kutta warm-up. */
    @Test
    void stepsOffsetTimesteps() {
        Map<String, Object> c = vpConfig();
        c.put("steps_offset", 1);
        assertArrayEquals(new double[] {901, 851, 851, 801, 801, 751, 751, 701, 701, 651, 651, 601, 601, 501, 401, 301, 201, 101, 1},
                pndm(c).setTimesteps(10).timesteps());
    }

    /** Not a diffusers constant: with skip_prk_steps the list is diffusers' 900, 800, 800, 700, …, 0 (N + 1 calls). */
    @Test
    void skipPrkStepsTimesteps() {
        Map<String, Object> c = vpConfig();
        c.put("skip_prk_steps", true);
        assertArrayEquals(new double[] {900, 800, 800, 700, 600, 500, 400, 300, 200, 100, 0}, pndm(c).setTimesteps(10).timesteps());
    }

    @Test
    void refusesWhatDiffusersWouldMixUp() {
        Map<String, Object> c = vpConfig();
        c.put("timestep_spacing", "linspace");
        Scheduler s = pndm(c);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(10));
        assertTrue(e.getMessage().contains("use leading"), e.getMessage());
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class, () -> pndm(vpConfig()).setTimesteps(3));
        assertTrue(few.getMessage().contains("at least 4 steps"), few.getMessage());
        Map<String, Object> sample = vpConfig();
        sample.put("prediction_type", "sample");
        assertThrows(IllegalArgumentException.class, () -> pndm(sample));
    }
}
