package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.sampler.SamplingLoop;
import io.diffusion4j.schedule.Plan;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.DUMMY_MODEL;
import static io.diffusion4j.diffusers.DiffusersFixtures.assertStats;
import static io.diffusion4j.diffusers.DiffusersFixtures.noiseDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
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
    /** diffusers' {@code get_scheduler_config} of the VP suites: T = 1000, linear β 1e-4 … 0.02. */
    private static Map<String, Object> vpConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("num_train_timesteps", 1000);
        c.put("beta_start", 0.0001);
        c.put("beta_end", 0.02);
        c.put("beta_schedule", "linear");
        return c;
    }

    private static NDArray model(NDArray x, double t) {
        return DUMMY_MODEL.apply(x, x.getManager().full(new Shape(x.getShape().get(0)), (float) t), null);
    }

    /** The suites' {@code full_loop}: start at dummy·init_noise_sigma, scale, call the model, step. */
    static NDArray fullLoop(NDManager m, Scheduler scheduler, int steps) {
        SchedulerRun run = scheduler.setTimesteps(steps);
        NDArray sample = sampleDeter(m).mul(run.initNoiseSigma());
        for (double t : run.timesteps()) {
            sample = run.scaleModelInput(sample, t);
            sample = run.step(model(sample, t), t, sample).prevSample();
        }
        return sample;
    }

    private static Scheduler of(String className, Map<String, Object> fields) {
        return Scheduler.fromConfig(SchedulerConfig.of(className, fields));
    }

    @Test
    void ddimFullLoopReproducesDiffusers() {
        Map<String, Object> c = vpConfig();
        c.put("clip_sample", true);
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("API DDIMScheduler test_full_loop_no_noise", fullLoop(m, of("DDIMScheduler", c), 10), 172.0067, 1e-2, 0.223967, 1e-3);
            c.put("prediction_type", "v_prediction");
            assertStats("API DDIMScheduler test_full_loop_with_v_prediction", fullLoop(m, of("DDIMScheduler", c), 10), 52.5302, 1e-2, 0.0684,
                    1e-3);
        }
    }

    private static Map<String, Object> dpmConfig() {
        Map<String, Object> c = vpConfig();
        c.put("solver_order", 2);
        c.put("prediction_type", "epsilon");
        c.put("thresholding", false);
        c.put("sample_max_value", 1.0);
        c.put("algorithm_type", "dpmsolver++");
        c.put("solver_type", "midpoint");
        c.put("lower_order_final", false);
        c.put("euler_at_final", false);
        c.put("lambda_min_clipped", Double.NEGATIVE_INFINITY);
        c.put("variance_type", null);
        c.put("final_sigmas_type", "sigma_min");
        return c;
    }

    @Test
    void dpmSolverMultistepFullLoopsReproduceDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("API DPMSolverMultistep test_full_loop_no_noise", fullLoop(m, of("DPMSolverMultistepScheduler", dpmConfig()), 10),
                    Double.NaN, 0, 0.3301, 1e-3);
            Map<String, Object> karrasV = dpmConfig();
            karrasV.put("prediction_type", "v_prediction");
            karrasV.put("use_karras_sigmas", true);
            assertStats("API DPMSolverMultistep test_full_loop_with_karras_and_v_prediction",
                    fullLoop(m, of("DPMSolverMultistepScheduler", karrasV), 10), Double.NaN, 0, 0.2096, 1e-3);
        }
    }

    /** test_full_loop_with_noise: add_noise at timesteps[5], then the loop over timesteps[5:] of the same run. */
    @Test
    void dpmSolverStartsPartWayAsImageToImageDoes() {
        try (NDManager m = NDManager.newBaseManager()) {
            Scheduler s = of("DPMSolverMultistepScheduler", dpmConfig());
            SchedulerRun run = s.setTimesteps(10);
            double[] ts = run.timesteps();
            NDArray sample = run.addNoise(sampleDeter(m), noiseDeter(m), ts[5]);
            for (int i = 5; i < ts.length; i++) {
                sample = run.step(model(sample, ts[i]), ts[i], sample).prevSample();
            }
            assertStats("API DPMSolverMultistep test_full_loop_with_noise", sample, 318.4111, 1e-2, 0.4146, 1e-3);
        }
    }

    @Test
    void eulerAndHeunSuiteLoopsReproduceDiffusers() {
        Map<String, Object> c = vpConfig();
        c.put("num_train_timesteps", 1100);
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("API EulerDiscrete test_full_loop_no_noise", fullLoop(m, of("EulerDiscreteScheduler", c), 10), 10.0807, 1e-2, 0.0131,
                    1e-3);
            assertStats("API HeunDiscrete test_full_loop_no_noise", fullLoop(m, of("HeunDiscreteScheduler", c), 10), 0.1233, 1e-2, 0.0002,
                    1e-3);
            Map<String, Object> karras = new LinkedHashMap<>(c);
            karras.put("use_karras_sigmas", true);
            assertStats("API EulerDiscrete test_full_loop_device_karras_sigmas", fullLoop(m, of("EulerDiscreteScheduler", karras), 10),
                    124.52299499511719, 1e-2, 0.16213932633399963, 1e-3);
            Map<String, Object> v = new LinkedHashMap<>(c);
            v.put("prediction_type", "v_prediction");
            assertStats("API HeunDiscrete test_full_loop_with_v_prediction", fullLoop(m, of("HeunDiscreteScheduler", v), 10), 4.6934e-07,
                    1e-2, 6.1112e-10, 1e-3);
        }
    }

    /** Heun's test_full_loop_with_noise: t_start·order = 16 into the 2N − 1 timesteps, add_noise there, then the rest. */
    @Test
    void heunStartsPartWayAtAStepBoundary() {
        Map<String, Object> c = vpConfig();
        c.put("num_train_timesteps", 1100);
        try (NDManager m = NDManager.newBaseManager()) {
            SchedulerRun run = of("HeunDiscreteScheduler", c).setTimesteps(10);
            double[] ts = run.timesteps();
            assertEquals(19, ts.length, "2N - 1 model calls");
            NDArray sample = sampleDeter(m).mul(run.initNoiseSigma());
            sample = run.addNoise(sample, noiseDeter(m), ts[16]);
            for (int i = 16; i < ts.length; i++) {
                sample = run.scaleModelInput(sample, ts[i]);
                sample = run.step(model(sample, ts[i]), ts[i], sample).prevSample();
            }
            assertStats("API HeunDiscrete test_full_loop_with_noise", sample, 75074.8906, 1e-2, 97.7538, 1e-3);
        }
    }

    /** The run draws the loop's noise: with one seed, a stochastic scheduler gives the bits of the SamplingLoop. */
    @Test
    void aRunAndTheSamplingLoopGiveTheSameBits() {
        Scheduler s = of("DDPMScheduler", vpConfig());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray start = sampleDeter(m);
            Plan plan = s.plan(10);
            NDArray loop = new SamplingLoop(s.sampler(), s.denoiser(DUMMY_MODEL), plan)
                    .run(start, Conditioning.NONE, new NoiseSource(42), NoiseSource.range(0, 4));
            SchedulerRun run = s.setTimesteps(10).withNoise(new NoiseSource(42), NoiseSource.range(0, 4));
            NDArray x = start;
            for (double t : run.timesteps()) {
                x = run.step(model(x, t), t, x).prevSample();
            }
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
                () -> of("DDIMScheduler", Map.of("timestep_spacing", "sideways")));
        assertTrue(spacing.getMessage().contains("allowed: leading, trailing, linspace"), spacing.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> of("DDIMScheduler", Map.of("num_train_timesteps", "many")));
        assertTrue(type.getMessage().contains("num_train_timesteps must be a number"), type.getMessage());
        SchedulerRun run = of("DDIMScheduler", vpConfig()).setTimesteps(10);
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
