package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.DUMMY_MODEL;
import static io.diffusion4j.diffusers.DiffusersFixtures.assertStats;
import static io.diffusion4j.diffusers.DiffusersFixtures.pipelineLoop;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.scaledFullLoop;
import static io.diffusion4j.diffusers.DiffusersFixtures.scaledLoopWithNoise;
import static io.diffusion4j.diffusers.DiffusersFixtures.scheduler;
import static io.diffusion4j.diffusers.DiffusersFixtures.vpConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code KDPM2DiscreteScheduler} through the diffusers-style API against the constants of diffusers'
 * {@code tests/schedulers/test_scheduler_kdpm2_discrete.py} ({@code KDPM2DiscreteSchedulerTest}): T = 1100,
 * linear β 1e-4 … 0.02, 10 steps, so 2·10 − 1 = 19 model calls (step, midpoint, step, …; the last step
 * goes to σ = 0 in one call). The loops are the suite's, written literally: {@code sample =
 * scale_model_input(sample, t)}, model on that sample, {@code step} on that same scaled sample.
 */
class DiffusersKdpm2Test {
    private static Map<String, Object> config() {
        return vpConfig("num_train_timesteps", 1100);
    }

    private static Scheduler kdpm2(Map<String, Object> fields) {
        return scheduler("KDPM2DiscreteScheduler", fields);
    }

    /** test_full_loop_no_noise and test_full_loop_device (CPU): 20.4125 ± 1e-2, 0.0266 ± 1e-3. */
    @Test
    void fullLoopNoNoise() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("KDPM2Discrete test_full_loop_no_noise", scaledFullLoop(m, kdpm2(config()), 10), 20.4125, 1e-2, 0.0266, 1e-3);
        }
    }

    /** test_full_loop_with_v_prediction (CPU): 4.6934e-07 ± 1e-2, 6.1112e-10 ± 1e-3. */
    @Test
    void fullLoopWithVPrediction() {
        Map<String, Object> c = config();
        c.put("prediction_type", "v_prediction");
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("KDPM2Discrete test_full_loop_with_v_prediction", scaledFullLoop(m, kdpm2(c), 10), 4.6934e-07, 1e-2, 6.1112e-10,
                    1e-3);
        }
    }

    /**
     * test_full_loop_with_noise: t_start = 8, so timesteps[8·order] = timesteps[16] (order 2), the first call
     * of step 8; {@code add_noise} there, then calls 16 … 18: 70408.4062 ± 1e-2, 91.6776 ± 1e-3.
     */
    @Test
    void fullLoopWithNoise() {
        assertEquals(19, kdpm2(config()).setTimesteps(10).timesteps().length, "2N - 1 model calls");
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("KDPM2Discrete test_full_loop_with_noise", scaledLoopWithNoise(m, kdpm2(config()), 16), 70408.4062, 1e-2, 91.6776,
                    1e-3);
        }
    }

    /**
     * Not a diffusers constant: the interleaved timesteps. Midpoint i is the log-σ interpolated time of
     * √(σ_{i−1}·σ_i); with Karras σ the step timesteps are rounded, the midpoints are not.
     */
    @Test
    void interleavedTimesteps() {
        SchedulerRun run = kdpm2(config()).setTimesteps(10);
        double[] ts = run.timesteps();
        var plan = run.plan();
        for (int i = 0; i < 10; i++) {
            assertEquals(plan.point(i).t(), ts[i == 0 ? 0 : 2 * i], 1e-9);
        }
        var vp = (io.diffusion4j.schedule.DiscreteVp) plan.schedule();
        for (int i = 1; i < 10; i++) {
            double mid = Math.sqrt(plan.point(i - 1).veSigma() * plan.point(i).veSigma());
            assertEquals(vp.timeOfVeSigma(mid), ts[2 * i - 1], 1e-9);
        }
        Map<String, Object> c = config();
        c.put("use_karras_sigmas", true);
        double[] karras = kdpm2(c).setTimesteps(10).timesteps();
        for (int i = 0; i < 10; i++) {
            double t = karras[i == 0 ? 0 : 2 * i];
            assertEquals(Math.rint(t), t, 0.0, "step timestep " + i + " is rounded");
        }
        assertNotEquals(Math.rint(karras[1]), karras[1], "midpoints are not rounded");
    }

    /** The API and the SamplingLoop give the same trajectory (a pipeline's loop, not the suite's). */
    @Test
    void apiAgreesWithTheSamplingLoop() {
        Scheduler s = kdpm2(config());
        SchedulerRun run = s.setTimesteps(10);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray start = sampleDeter(m).mul(run.initNoiseSigma());
            NDArray viaApi = pipelineLoop(run, start, 0);
            var plan = s.plan(10);
            NDArray viaLoop = DiffusersFixtures.run(s.sampler(), s.denoiser(DUMMY_MODEL), plan,
                    start.mul(plan.point(0).alpha()));
            assertArrayEquals(viaLoop.toFloatArray(), viaApi.toFloatArray(), 1e-5f);
        }
    }

    @Test
    void refusesSamplePrediction() {
        Map<String, Object> c = config();
        c.put("prediction_type", "sample");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kdpm2(c));
        assertTrue(e.getMessage().contains("allowed: epsilon, v_prediction"), e.getMessage());
    }
}
