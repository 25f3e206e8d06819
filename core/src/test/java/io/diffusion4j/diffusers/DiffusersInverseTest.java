package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.assertStats;
import static io.diffusion4j.diffusers.DiffusersFixtures.dpmSolverConfig;
import static io.diffusion4j.diffusers.DiffusersFixtures.fullLoop;
import static io.diffusion4j.diffusers.DiffusersFixtures.model;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.vpConfig;
import static io.diffusion4j.diffusers.DiffusersFixtures.with;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code DDIMInverseScheduler} and {@code DPMSolverMultistepInverseScheduler} through the Scheduler API,
 * driven by the loops of diffusers' {@code tests/schedulers/test_scheduler_ddim_inverse.py} and {@code
 * test_scheduler_dpm_multi_inverse.py} written out literally ({@code full_loop}: {@code set_timesteps(10)},
 * start at {@code dummy_sample_deter}, then {@code step(model(sample, t), t, sample)} for each timestep, no
 * scaling of the model input), against their published constants and tolerances.
 */
class DiffusersInverseTest {

    private static Map<String, Object> ddimConfig() {
        return vpConfig("clip_sample", true);
    }

    /** {@code DPMSolverMultistepSchedulerTest.get_scheduler_config} of the inverse suite (note {@code lower_order_final} False). */
    private static Map<String, Object> dpmConfig() {
        return dpmSolverConfig(vpConfig(), "lower_order_final", false, "lambda_min_clipped", Double.NEGATIVE_INFINITY, "variance_type",
                null);
    }

    private static Scheduler ddim(Map<String, Object> fields) {
        return InverseSchedulers.ddimInverse(SchedulerConfig.of("DDIMInverseScheduler", fields));
    }

    private static Scheduler dpm(Map<String, Object> fields) {
        return InverseSchedulers.dpmSolverMultistepInverse(SchedulerConfig.of("DPMSolverMultistepInverseScheduler", fields));
    }

    /** DDIMInverseSchedulerTest: the four full-loop tests, sum ± 1e-2 and mean ± 1e-3 each. */
    @Test
    void ddimInverseFullLoopsReproduceDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("DDIMInverse test_full_loop_no_noise", fullLoop(ddim(ddimConfig()), sampleDeter(m)), 671.6816, 1e-2, 0.8746, 1e-3);
            assertStats("DDIMInverse test_full_loop_with_v_prediction",
                    fullLoop(ddim(with(ddimConfig(), "prediction_type", "v_prediction")), sampleDeter(m)), 1394.2185, 1e-2, 1.8154, 1e-3);
            // β_start = 0.01, so ᾱ_0 = 0.99 and the first point's ᾱ is 1 or 0.99
            assertStats("DDIMInverse test_full_loop_with_set_alpha_to_one",
                    fullLoop(ddim(with(ddimConfig(), "set_alpha_to_one", true, "beta_start", 0.01)), sampleDeter(m)), 539.9622, 1e-2, 0.7031,
                    1e-3);
            assertStats("DDIMInverse test_full_loop_with_no_set_alpha_to_one",
                    fullLoop(ddim(with(ddimConfig(), "set_alpha_to_one", false, "beta_start", 0.01)), sampleDeter(m)), 542.6722, 1e-2, 0.7066,
                    1e-3);
        }
    }

    /**
     * DPMSolverMultistepInverse full loops: means ± 1e-3 (Karras + v: ± 2e-3). Ours: 0.704689, 19.89335, 1.519377,
     * 1.781619.
     *
     * <p>Karras + v is 1.7e-3 from its constant, where the others agree to ~1e-5. The constant predates diffusers'
     * refactor to stepping with σ (PR #4986, September 2023), which moved the result and widened this tolerance
     * from 1e-3 to 2e-3 instead of updating it. A float32 torch re-derivation (written for this check, outside the
     * repository) of the current {@code set_timesteps} and {@code step} gives 1.7816192, as we do.
     */
    @Test
    void dpmSolverInverseFullLoopsReproduceDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("DPMSolverMultistepInverse test_full_loop_no_noise", fullLoop(dpm(dpmConfig()), sampleDeter(m)), Double.NaN, 0, 0.7047,
                    1e-3);
            assertStats("DPMSolverMultistepInverse test_full_loop_no_noise_thres", fullLoop(dpm(with(dpmConfig(), "thresholding", true,
                    "dynamic_thresholding_ratio", 0.87, "sample_max_value", 0.5)), sampleDeter(m)), Double.NaN, 0, 19.8933, 1e-3);
            assertStats("DPMSolverMultistepInverse test_full_loop_with_v_prediction",
                    fullLoop(dpm(with(dpmConfig(), "prediction_type", "v_prediction")), sampleDeter(m)), Double.NaN, 0, 1.5194, 1e-3);
            assertStats("DPMSolverMultistepInverse test_full_loop_with_karras_and_v_prediction",
                    fullLoop(dpm(with(dpmConfig(), "prediction_type", "v_prediction", "use_karras_sigmas", true)), sampleDeter(m)), Double.NaN, 0,
                    1.7833, 2e-3);
        }
    }

    /**
     * test_switch: the inverse scheduler's config read by {@code DPMSolverMultistepScheduler} and back gives the
     * same trajectory (0.7047 ± 1e-3, and within 1e-3 of the first run).
     */
    @Test
    void dpmSolverInverseConfigSurvivesTheForwardClass() {
        try (NDManager m = NDManager.newBaseManager()) {
            Scheduler inverse = dpm(dpmConfig());
            double first = DiffusersFixtures.meanAbs(fullLoop(inverse, sampleDeter(m)));
            Scheduler forward = VpSchedulers.dpmSolverMultistep(SchedulerConfig.of("DPMSolverMultistepScheduler", inverse.config().fields()));
            Scheduler back = InverseSchedulers.dpmSolverMultistepInverse(
                    SchedulerConfig.of("DPMSolverMultistepInverseScheduler", forward.config().fields()));
            NDArray x = fullLoop(back, sampleDeter(m));
            assertStats("DPMSolverMultistepInverse test_switch", x, Double.NaN, 0, 0.7047, 1e-3);
            assertEquals(first, DiffusersFixtures.meanAbs(x), 1e-3);
        }
    }

    /**
     * Timestep lists. DDIM {@code steps_offset=1}, N = 5: [1, 201, 401, 601, 801] (test_steps_offset). The others
     * were computed with numpy 1.24 / torch 1.13 by re-running the {@code set_timesteps} code of diffusers'
     * {@code DDIMInverseScheduler} and {@code DPMSolverMultistepInverseScheduler} (T = 1000, linear β).
     */
    @Test
    void timestepsAreDiffusers() {
        assertArrayEquals(new double[] {1, 201, 401, 601, 801}, ddim(with(ddimConfig(), "steps_offset", 1)).setTimesteps(5).timesteps());
        assertArrayEquals(new double[] {0, 100, 200, 300, 400, 500, 600, 700, 800, 900}, ddim(ddimConfig()).setTimesteps(10).timesteps());
        assertArrayEquals(new double[] {99, 199, 299, 399, 499, 599, 699, 799, 899, 999},
                ddim(with(ddimConfig(), "timestep_spacing", "trailing")).setTimesteps(10).timesteps());
        assertArrayEquals(new double[] {0, 100, 200, 300, 400, 500, 599, 699, 799, 899}, dpm(dpmConfig()).setTimesteps(10).timesteps());
        assertArrayEquals(new double[] {1, 91, 181, 271, 361, 451, 541, 631, 721, 811},
                dpm(with(dpmConfig(), "timestep_spacing", "leading", "steps_offset", 1)).setTimesteps(10).timesteps());
        assertArrayEquals(new double[] {99, 199, 299, 399, 499, 599, 699, 799, 899, 999},
                dpm(with(dpmConfig(), "timestep_spacing", "trailing")).setTimesteps(10).timesteps());
        assertArrayEquals(new double[] {0, 18, 102, 301, 511, 663, 775, 864, 937, 999},
                dpm(with(dpmConfig(), "use_karras_sigmas", true)).setTimesteps(10).timesteps());
        // lambda_min_clipped = -3 stops at t = 768; trailing then has only 8 timesteps
        assertArrayEquals(new double[] {0, 77, 154, 230, 307, 384, 461, 538, 614, 691},
                dpm(with(dpmConfig(), "lambda_min_clipped", -3.0)).setTimesteps(10).timesteps());
        assertArrayEquals(new double[] {68, 168, 268, 368, 468, 568, 668, 768},
                dpm(with(dpmConfig(), "lambda_min_clipped", -3.0, "timestep_spacing", "trailing")).setTimesteps(10).timesteps());
        assertEquals(768, dpm(with(dpmConfig(), "lambda_min_clipped", -3.0)).plan(10).end().t());
    }

    /** The ends: DDIM inverse goes to the last timestep's ᾱ; DPM inverse to σ(999), or the last Karras σ repeated. */
    @Test
    void plansEndWhereDiffusersDoes() {
        Plan ddimPlan = ddim(ddimConfig()).plan(10);
        assertTrue(ddimPlan.inverse());
        assertEquals(0.0, ddimPlan.point(0).sigma(), 0.0, "set_alpha_to_one: the first point is the clean sample");
        assertEquals(900, ddimPlan.end().t());
        // point i is labelled t_i but has the alpha of t_i - 100 (diffusers' model sees t_i)
        assertEquals(ddimPlan.target(0).alpha(), ddimPlan.point(1).alpha(), 0.0);
        assertEquals(100, ddimPlan.point(1).t());
        Plan dpmPlan = dpm(dpmConfig()).plan(10);
        assertEquals(999, dpmPlan.end().t());
        assertTrue(dpmPlan.isChained());
        Plan karras = dpm(with(dpmConfig(), "use_karras_sigmas", true)).plan(10);
        // sigmas from the numpy re-run: 0.010001329705119133 ... 157.40725708007812, repeated
        assertEquals(0.010001329705119133, karras.point(0).veSigma(), 1e-7);
        assertEquals(157.40725708007812, karras.end().veSigma(), 157.4 * 1e-6);
        assertEquals(karras.point(9), karras.end());
    }

    /**
     * test_unique_timesteps: {@code set_timesteps(1000)} repeats timestep 500 (rounding of linspace(0, 999, 1001));
     * diffusers drops the repeat, leaving 999 steps. Karras, N = 100, repeats one low timestep: 99 steps.
     */
    @Test
    void repeatedTimestepsAreDroppedAsDiffusersDoes() {
        double[] ts = dpm(dpmConfig()).setTimesteps(1000).timesteps();
        assertEquals(999, ts.length);
        assertEquals(999, Arrays.stream(ts).distinct().count());
        Plan karras = dpm(with(dpmConfig(), "use_karras_sigmas", true)).plan(100);
        assertEquals(99, karras.steps());
        assertEquals(99, Arrays.stream(karras.timesteps()).distinct().count());
    }

    @Test
    void unsupportedOptionsAreRefusedAndUnknownFieldsKept() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ddim(with(ddimConfig(), "timestep_spacing", "linspace")));
        assertTrue(e.getMessage().contains("leading, trailing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> dpm(with(dpmConfig(), "algorithm_type", "sde-dpmsolver++")));
        assertTrue(e.getMessage().contains("algorithm_type"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> dpm(with(dpmConfig(), "use_exponential_sigmas", true)));
        assertTrue(e.getMessage().contains("use_exponential_sigmas"), e.getMessage());
        // DDIMInverseScheduler has no thresholding or eta (diffusers swallows them as kwargs); DPM inverse no final_sigmas_type
        assertEquals(List.of("thresholding"), ddim(with(ddimConfig(), "thresholding", true)).unknownFields());
        assertEquals(List.of("final_sigmas_type"), dpm(with(dpmConfig(), "final_sigmas_type", "zero")).unknownFields());
        // the deprecated set_alpha_to_zero is copied into set_alpha_to_one, as diffusers does
        NoiseLevel first = ddim(with(ddimConfig(), "set_alpha_to_zero", false)).plan(10).point(0);
        assertTrue(first.sigma() > 0, "set_alpha_to_zero=false means set_alpha_to_one=false");
    }

    @Test
    void initNoiseSigmaIsOneAndTheRunRefusesForeignTimesteps() {
        try (NDManager m = NDManager.newBaseManager()) {
            SchedulerRun run = ddim(ddimConfig()).setTimesteps(10);
            assertEquals(1.0, run.initNoiseSigma(), 0.0);
            NDArray x = sampleDeter(m);
            assertThrows(IllegalArgumentException.class, () -> run.step(model(x, 50), 50, x));
        }
    }
}
