package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.schedule.Plan;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.DUMMY_MODEL;
import static io.diffusion4j.diffusers.DiffusersFixtures.assertStats;
import static io.diffusion4j.diffusers.DiffusersFixtures.dpmSolverConfig;
import static io.diffusion4j.diffusers.DiffusersFixtures.fields;
import static io.diffusion4j.diffusers.DiffusersFixtures.fullLoop;
import static io.diffusion4j.diffusers.DiffusersFixtures.loopWithNoise;
import static io.diffusion4j.diffusers.DiffusersFixtures.noiseDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.pipelineFullLoop;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.scheduler;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code EDMEulerScheduler} and {@code EDMDPMSolverMultistepScheduler} through the Scheduler API (our {@code
 * Euler} and {@code DpmSolverPlusPlus} over EDM levels, the model called through {@link ModelConvention.Edm})
 * against the constants of diffusers' {@code tests/schedulers/test_scheduler_edm_euler.py} and {@code
 * test_scheduler_edm_dpmsolver_multistep.py}, 10 steps, with the suites' loops written literally:
 * <ul>
 *   <li>{@code EDMEulerSchedulerTest} writes a pipeline's loop: start at dummy·{@code init_noise_sigma}
 *   (√(80² + 1)), the model gets {@code scale_model_input} (c_in·x̃) and the timestep c_noise, {@code step}
 *   gets the unscaled sample.</li>
 *   <li>{@code EDMDPMSolverMultistepSchedulerTest.full_loop} starts at the dummy sample itself and calls the
 *   model on the <em>unscaled</em> sample (no {@code scale_model_input}).</li>
 * </ul>
 */
class DiffusersEdmTest {
    private static Map<String, Object> eulerConfig() {
        return fields("num_train_timesteps", 256, "sigma_min", 0.002, "sigma_max", 80.0);
    }

    private static Map<String, Object> dpmConfig() {
        return dpmSolverConfig(fields("sigma_min", 0.002, "sigma_max", 80.0, "sigma_data", 0.5, "num_train_timesteps", 1000),
                "lower_order_final", false, "euler_at_final", false, "final_sigmas_type", "sigma_min");
    }

    /** The EDM DPM suite's loop: the model sees the unscaled sample. */
    private static NDArray dpmFullLoop(NDManager m, Map<String, Object> fields) {
        return fullLoop(scheduler("EDMDPMSolverMultistepScheduler", fields), sampleDeter(m));
    }

    /** EDMEuler test_full_loop_no_noise and test_full_loop_device: 34.1855 ± 1e-3, 0.044 ± 1e-3. */
    @Test
    void eulerFullLoop() {
        Scheduler s = scheduler("EDMEulerScheduler", eulerConfig());
        assertEquals(Math.sqrt(80.0 * 80.0 + 1), s.setTimesteps(10).initNoiseSigma(), 1e-12, "diffusers' init_noise_sigma");
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("EDMEuler test_full_loop_no_noise", pipelineFullLoop(m, s, 10), 34.1855, 1e-3, 0.044, 1e-3);
        }
    }

    /** Not a diffusers constant: the API's trajectory is the SamplingLoop's with the scheduler's denoiser of the network. */
    @Test
    void eulerApiAgreesWithTheSamplingLoop() {
        Scheduler s = scheduler("EDMEulerScheduler", eulerConfig());
        try (NDManager m = NDManager.newBaseManager()) {
            Plan plan = s.plan(10);
            NDArray viaLoop = DiffusersFixtures.run(s.sampler(), s.denoiser(DUMMY_MODEL), plan, sampleDeter(m).mul(plan.initNoiseScale()));
            assertArrayEquals(viaLoop.toFloatArray(), pipelineFullLoop(m, s, 10).toFloatArray(), 1e-6f);
        }
    }

    /** EDMDPMSolverMultistep test_full_loop_no_noise: mean 0.0001 ± 1e-3. */
    @Test
    void dpmFullLoopNoNoise() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("EDMDPMSolverMultistep test_full_loop_no_noise", dpmFullLoop(m, dpmConfig()), Double.NaN, 0, 0.0001, 1e-3);
        }
    }

    /** test_full_loop_no_noise_thres (ratio 0.87, max 0.5): mean 0.0080 ± 1e-3. */
    @Test
    void dpmFullLoopThresholding() {
        Map<String, Object> c = dpmConfig();
        c.put("thresholding", true);
        c.put("dynamic_thresholding_ratio", 0.87);
        c.put("sample_max_value", 0.5);
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("EDMDPMSolverMultistep test_full_loop_no_noise_thres", dpmFullLoop(m, c), Double.NaN, 0, 0.0080, 1e-3);
        }
    }

    /** test_full_loop_with_v_prediction: mean 0.0092 ± 1e-3. */
    @Test
    void dpmFullLoopVPrediction() {
        Map<String, Object> c = dpmConfig();
        c.put("prediction_type", "v_prediction");
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("EDMDPMSolverMultistep test_full_loop_with_v_prediction", dpmFullLoop(m, c), Double.NaN, 0, 0.0092, 1e-3);
        }
    }

    /**
     * test_full_loop_with_noise: {@code add_noise} (x₀ + σ·noise) at timesteps[5], then the suite's loop over
     * timesteps[5:]; the run starts part-way with no history, as diffusers (its first step there is first
     * order): 8.1661 ± 1e-2, 0.0106 ± 1e-3.
     */
    @Test
    void dpmFullLoopWithNoise() {
        Scheduler s = scheduler("EDMDPMSolverMultistepScheduler", dpmConfig());
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("EDMDPMSolverMultistep test_full_loop_with_noise", loopWithNoise(s, sampleDeter(m), noiseDeter(m), 5), 8.1661, 1e-2,
                    0.0106, 1e-3);
        }
    }

    /**
     * Not a published constant: diffusers' timesteps are c_noise = ¼·ln σ (σ_max = 80 gives ¼·ln 80);
     * {@code scale_model_input} is c_in·x̃ = x̃/√(σ² + σ_d²); {@code add_noise} at a training timestep t is
     * x₀ + e^{4t}·noise.
     */
    @Test
    void timestepsInputScalingAndAddNoise() {
        Scheduler s = scheduler("EDMEulerScheduler", eulerConfig());
        SchedulerRun run = s.setTimesteps(10);
        double[] ts = run.timesteps();
        assertEquals(10, ts.length);
        assertEquals(0.25 * Math.log(80), ts[0], 1e-6);
        assertEquals(0.25 * Math.log(0.002), ts[9], 1e-6);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = sampleDeter(m);
            assertArrayEquals(x.div(Math.sqrt(80 * 80 + 0.25)).toFloatArray(), run.scaleModelInput(x, ts[0]).toFloatArray(), 1e-7f);
            NDArray noisy = s.addNoise(x, noiseDeter(m), 0.25 * Math.log(3.0));
            assertArrayEquals(x.add(noiseDeter(m).mul(3.0)).toFloatArray(), noisy.toFloatArray(), 1e-6f);
        }
        Map<String, Object> exp = eulerConfig();
        exp.put("sigma_schedule", "exponential");
        Plan plan = scheduler("EDMEulerScheduler", exp).plan(5);
        assertEquals(Math.sqrt(80 * 0.002), plan.point(2).sigma(), 1e-5, "log-uniform: the middle is the geometric mean");
        assertTrue(plan.end().isClean(), "final_sigmas_type zero is the class default");
        assertTrue(s.recipe().prediction().isEmpty(), "an EDM model's output is not read as a prediction type");
    }

    @Test
    void refusesWhatIsNotOffered() {
        Map<String, Object> sde = dpmConfig();
        sde.put("algorithm_type", "sde-dpmsolver++");
        assertThrows(IllegalArgumentException.class, () -> scheduler("EDMDPMSolverMultistepScheduler", sde));
        Map<String, Object> sample = eulerConfig();
        sample.put("prediction_type", "sample");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scheduler("EDMEulerScheduler", sample));
        assertTrue(e.getMessage().contains("epsilon"), e.getMessage());
    }
}
