package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.sampler.SamplingLoop;
import io.diffusion4j.schedule.Plan;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.DUMMY_MODEL;
import static io.diffusion4j.diffusers.DiffusersFixtures.assertStats;
import static io.diffusion4j.diffusers.DiffusersFixtures.dpmSolverConfig;
import static io.diffusion4j.diffusers.DiffusersFixtures.loop;
import static io.diffusion4j.diffusers.DiffusersFixtures.loopWithNoise;
import static io.diffusion4j.diffusers.DiffusersFixtures.model;
import static io.diffusion4j.diffusers.DiffusersFixtures.noiseDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.scaledFullLoop;
import static io.diffusion4j.diffusers.DiffusersFixtures.scaledLoopWithNoise;
import static io.diffusion4j.diffusers.DiffusersFixtures.scheduler;
import static io.diffusion4j.diffusers.DiffusersFixtures.vpConfig;
import static io.diffusion4j.diffusers.DiffusersFixtures.with;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The diffusers-style API ({@link Scheduler}, {@link SchedulerRun}) driven by the loops of diffusers' own
 * scheduler tests written out literally — {@code set_timesteps}, {@code init_noise_sigma},
 * {@code sample = scale_model_input(sample, t)}, {@code step(model(sample, t), t, sample)} — against their
 * published constants. The σ-view suites pass the scaled sample back into {@code step}; the API takes
 * whatever it is given as the scheduler's sample, so the loop reproduces that with no special case.
 */
class SchedulerApiTest {
    @Test
    void ddimFullLoopReproducesDiffusers() {
        Map<String, Object> c = vpConfig();
        c.put("clip_sample", true);
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("API DDIMScheduler test_full_loop_no_noise", scaledFullLoop(m, scheduler("DDIMScheduler", c), 10), 172.0067, 1e-2,
                    0.223967, 1e-3);
            c.put("prediction_type", "v_prediction");
            assertStats("API DDIMScheduler test_full_loop_with_v_prediction", scaledFullLoop(m, scheduler("DDIMScheduler", c), 10), 52.5302,
                    1e-2, 0.0684, 1e-3);
        }
    }

    private static Map<String, Object> dpmConfig() {
        return dpmSolverConfig(vpConfig(), "lower_order_final", false, "euler_at_final", false, "lambda_min_clipped",
                Double.NEGATIVE_INFINITY, "variance_type", null, "final_sigmas_type", "sigma_min");
    }

    @Test
    void dpmSolverMultistepFullLoopsReproduceDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("API DPMSolverMultistep test_full_loop_no_noise",
                    scaledFullLoop(m, scheduler("DPMSolverMultistepScheduler", dpmConfig()), 10), Double.NaN, 0, 0.3301, 1e-3);
            Map<String, Object> karrasV = dpmConfig();
            karrasV.put("prediction_type", "v_prediction");
            karrasV.put("use_karras_sigmas", true);
            assertStats("API DPMSolverMultistep test_full_loop_with_karras_and_v_prediction",
                    scaledFullLoop(m, scheduler("DPMSolverMultistepScheduler", karrasV), 10), Double.NaN, 0, 0.2096, 1e-3);
        }
    }

    /** test_full_loop_with_noise: add_noise at timesteps[5], then the loop over timesteps[5:] of the same run. */
    @Test
    void dpmSolverStartsPartWayAsImageToImageDoes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray sample = loopWithNoise(scheduler("DPMSolverMultistepScheduler", dpmConfig()), sampleDeter(m), noiseDeter(m), 5);
            assertStats("API DPMSolverMultistep test_full_loop_with_noise", sample, 318.4111, 1e-2, 0.4146, 1e-3);
        }
    }

    @Test
    void eulerAndHeunSuiteLoopsReproduceDiffusers() {
        Map<String, Object> c = vpConfig("num_train_timesteps", 1100);
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("API EulerDiscrete test_full_loop_no_noise", scaledFullLoop(m, scheduler("EulerDiscreteScheduler", c), 10), 10.0807,
                    1e-2, 0.0131, 1e-3);
            assertStats("API HeunDiscrete test_full_loop_no_noise", scaledFullLoop(m, scheduler("HeunDiscreteScheduler", c), 10), 0.1233,
                    1e-2, 0.0002, 1e-3);
            Map<String, Object> karras = with(c, "use_karras_sigmas", true);
            assertStats("API EulerDiscrete test_full_loop_device_karras_sigmas",
                    scaledFullLoop(m, scheduler("EulerDiscreteScheduler", karras), 10), 124.52299499511719, 1e-2, 0.16213932633399963, 1e-3);
            Map<String, Object> v = with(c, "prediction_type", "v_prediction");
            assertStats("API HeunDiscrete test_full_loop_with_v_prediction", scaledFullLoop(m, scheduler("HeunDiscreteScheduler", v), 10),
                    4.6934e-07, 1e-2, 6.1112e-10, 1e-3);
        }
    }

    /** Heun's test_full_loop_with_noise: t_start·order = 16 into the 2N − 1 timesteps, add_noise there, then the rest. */
    @Test
    void heunStartsPartWayAtAStepBoundary() {
        Scheduler heun = scheduler("HeunDiscreteScheduler", vpConfig("num_train_timesteps", 1100));
        assertEquals(19, heun.setTimesteps(10).timesteps().length, "2N - 1 model calls");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray sample = scaledLoopWithNoise(m, heun, 16);
            assertStats("API HeunDiscrete test_full_loop_with_noise", sample, 75074.8906, 1e-2, 97.7538, 1e-3);
        }
    }

    /** The run draws the loop's noise: with one seed, a stochastic scheduler gives the bits of the SamplingLoop. */
    @Test
    void aRunAndTheSamplingLoopGiveTheSameBits() {
        Scheduler s = scheduler("DDPMScheduler", vpConfig());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray start = sampleDeter(m);
            Plan plan = s.plan(10);
            NDArray loop = new SamplingLoop(s.sampler(), s.denoiser(DUMMY_MODEL), plan)
                    .run(start, Conditioning.NONE, new NoiseSource(42), NoiseSource.range(0, 4));
            SchedulerRun run = s.setTimesteps(10).withNoise(new NoiseSource(42), NoiseSource.range(0, 4));
            NDArray x = loop(run, start, 0);
            assertArrayEquals(loop.toFloatArray(), x.toFloatArray());
        }
    }

    @Test
    void configRoundTripsAndReportsUnknownFields() {
        String json = "{\"_class_name\": \"EulerDiscreteScheduler\", \"_diffusers_version\": \"0.30.0\", \"beta_end\": 0.012, "
                + "\"beta_schedule\": \"scaled_linear\", \"beta_start\": 0.00085, \"num_train_timesteps\": 1000, "
                + "\"prediction_type\": \"epsilon\", \"steps_offset\": 1, \"timestep_spacing\": \"leading\", \"trained_betas\": null, "
                + "\"my_own_option\": [1, 2]}";
        Scheduler s = Scheduler.fromConfig(SchedulerConfig.parse(json));
        assertEquals(List.of("my_own_option"), s.unknownFields());
        SchedulerConfig back = SchedulerConfig.parse(s.config().toJson());
        assertEquals(s.config(), back);
        assertEquals(s.config().fields().keySet(), back.fields().keySet());
    }

    @Test
    void badConfigsAndCallsSayWhatIsAllowed() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Scheduler.fromConfig(SchedulerConfig.of("NoSuchScheduler", Map.of())));
        assertTrue(unknown.getMessage().contains("offered: DDPMScheduler, DDIMScheduler"), unknown.getMessage());
        IllegalArgumentException spacing = assertThrows(IllegalArgumentException.class,
                () -> scheduler("DDIMScheduler", Map.of("timestep_spacing", "sideways")));
        assertTrue(spacing.getMessage().contains("allowed: leading, trailing, linspace"), spacing.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> scheduler("DDIMScheduler", Map.of("num_train_timesteps", "many")));
        assertTrue(type.getMessage().contains("num_train_timesteps must be a number"), type.getMessage());
        SchedulerRun run = scheduler("DDIMScheduler", vpConfig()).setTimesteps(10);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = sampleDeter(m);
            run.step(model(x, 900), 900, x);
            IllegalArgumentException order = assertThrows(IllegalArgumentException.class, () -> run.step(model(x, 900), 900, x));
            assertTrue(order.getMessage().contains("expected timestep 800.0"), order.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.parse("[1, 2]"));
        assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.parse("{\"beta_end\": 0.02}"));
    }
}
