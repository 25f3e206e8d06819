package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.EdmPreconditioning;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.DUMMY_MODEL;
import static io.diffusion4j.diffusers.DiffusersFixtures.assertStats;
import static io.diffusion4j.diffusers.DiffusersFixtures.noiseDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.run;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.tail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * diffusers' EDM schedulers as {@link EdmSchedulers.Edm} (our {@code Euler} and {@code DpmSolverPlusPlus}
 * over EDM levels, the network adapted by {@link EdmPreconditioning}) against the constants of {@code
 * tests/schedulers/test_scheduler_edm_euler.py} and {@code test_scheduler_edm_dpmsolver_multistep.py}, 10
 * steps. The loops run through {@link io.diffusion4j.sampler.SamplingLoop} (the EDM classes are not yet
 * {@link Scheduler}s, see {@link EdmSchedulers}):
 * <ul>
 *   <li>{@code EDMEulerSchedulerTest} writes a pipeline's loop: start at dummy·{@code init_noise_sigma}
 *   (√(80² + 1)), the model gets {@code scale_model_input} (c_in·x) and the timestep c_noise, {@code step}
 *   gets the unscaled sample — our {@link EdmPreconditioning#denoiser} over the plan.</li>
 *   <li>{@code EDMDPMSolverMultistepSchedulerTest.full_loop} starts at the dummy sample itself and calls the
 *   model on the <em>unscaled</em> sample with the timestep c_noise (no {@code scale_model_input}): the
 *   denoiser {@link #asInTheDpmSuite} does exactly that, with the same output preconditioning.</li>
 * </ul>
 */
class DiffusersEdmTest {
    private static Map<String, Object> eulerConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("num_train_timesteps", 256);
        c.put("sigma_min", 0.002);
        c.put("sigma_max", 80.0);
        return c;
    }

    private static Map<String, Object> dpmConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("sigma_min", 0.002);
        c.put("sigma_max", 80.0);
        c.put("sigma_data", 0.5);
        c.put("num_train_timesteps", 1000);
        c.put("solver_order", 2);
        c.put("prediction_type", "epsilon");
        c.put("thresholding", false);
        c.put("sample_max_value", 1.0);
        c.put("algorithm_type", "dpmsolver++");
        c.put("solver_type", "midpoint");
        c.put("lower_order_final", false);
        c.put("euler_at_final", false);
        c.put("final_sigmas_type", "sigma_min");
        return c;
    }

    private static EdmSchedulers.Edm edm(String className, Map<String, Object> fields) {
        return EdmSchedulers.fromConfig(SchedulerConfig.of(className, fields));
    }

    /** The DPM suite's model call: the dummy model on the unscaled sample, told c_noise; output preconditioned. */
    private static Denoiser asInTheDpmSuite(EdmPreconditioning pre) {
        return (x, level, cond) -> {
            double t = EdmPreconditioning.cNoise(level.veSigma());
            NDArray out = DUMMY_MODEL.apply(x, x.getManager().full(new Shape(x.getShape().get(0)), (float) t), null);
            return pre.toEstimate(out, x, level);
        };
    }

    private static NDArray dpmFullLoop(NDManager m, Map<String, Object> fields) {
        EdmSchedulers.Edm s = edm("EDMDPMSolverMultistepScheduler", fields);
        return run(s.sampler(), asInTheDpmSuite(s.preconditioning()), s.plan(10), sampleDeter(m));
    }

    /** EDMEuler test_full_loop_no_noise and test_full_loop_device: 34.1855 ± 1e-3, 0.044 ± 1e-3. */
    @Test
    void eulerFullLoop() {
        EdmSchedulers.Edm s = edm("EDMEulerScheduler", eulerConfig());
        Plan plan = s.plan(10);
        assertEquals(Math.sqrt(80.0 * 80.0 + 1), plan.initNoiseScale(), 1e-12, "diffusers' init_noise_sigma");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = run(s.sampler(), s.denoiser(DUMMY_MODEL), plan, sampleDeter(m).mul(plan.initNoiseScale()));
            assertStats("EDMEuler test_full_loop_no_noise", x, 34.1855, 1e-3, 0.044, 1e-3);
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
     * test_full_loop_with_noise: {@code add_noise} (x₀ + σ·noise) at timesteps[5], then steps 5 … 9, the
     * history empty as in diffusers (its first step there is first order): 8.1661 ± 1e-2, 0.0106 ± 1e-3.
     */
    @Test
    void dpmFullLoopWithNoise() {
        EdmSchedulers.Edm s = edm("EDMDPMSolverMultistepScheduler", dpmConfig());
        Plan plan = s.plan(10);
        NoiseLevel start = plan.point(5);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray noisy = sampleDeter(m).add(noiseDeter(m).mul(start.sigma()));
            NDArray x = run(s.sampler(), asInTheDpmSuite(s.preconditioning()), tail(plan, 5), noisy);
            assertStats("EDMDPMSolverMultistep test_full_loop_with_noise", x, 8.1661, 1e-2, 0.0106, 1e-3);
        }
    }

    /** Not a published constant: diffusers' timesteps are c_noise = ¼·ln σ (σ_max = 80 gives ¼·ln 80). */
    @Test
    void timestepsAreNoiseLabels() {
        double[] ts = edm("EDMEulerScheduler", eulerConfig()).timesteps(10);
        assertEquals(10, ts.length);
        assertEquals(0.25 * Math.log(80), ts[0], 1e-6);
        assertEquals(0.25 * Math.log(0.002), ts[9], 1e-6);
        Map<String, Object> exp = eulerConfig();
        exp.put("sigma_schedule", "exponential");
        Plan plan = edm("EDMEulerScheduler", exp).plan(5);
        assertEquals(Math.sqrt(80 * 0.002), plan.point(2).sigma(), 1e-5, "log-uniform: the middle is the geometric mean");
        assertTrue(plan.end().isClean(), "final_sigmas_type zero is the class default");
    }

    @Test
    void refusesWhatIsNotOffered() {
        Map<String, Object> sde = dpmConfig();
        sde.put("algorithm_type", "sde-dpmsolver++");
        assertThrows(IllegalArgumentException.class, () -> edm("EDMDPMSolverMultistepScheduler", sde));
        Map<String, Object> sample = eulerConfig();
        sample.put("prediction_type", "sample");
        assertThrows(IllegalArgumentException.class, () -> edm("EDMEulerScheduler", sample));
        assertThrows(IllegalArgumentException.class, () -> edm("DDIMScheduler", eulerConfig()));
    }
}
