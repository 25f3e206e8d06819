package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.random.TorchGenerator;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.assertStats;
import static io.diffusion4j.diffusers.DiffusersFixtures.fields;
import static io.diffusion4j.diffusers.DiffusersFixtures.model;
import static io.diffusion4j.diffusers.DiffusersFixtures.noiseDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.scheduler;
import static io.diffusion4j.diffusers.TorchDraws.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code LCMScheduler}, {@code TCDScheduler} and {@code CMStochasticIterativeScheduler} against the full loops of
 * diffusers' {@code test_scheduler_lcm.py}, {@code test_scheduler_tcd.py} and {@code
 * test_scheduler_consistency_model.py}, written as those tests write them, with each step's noise drawn from
 * {@code torch.manual_seed(0)} ({@link TorchGenerator}) exactly when diffusers' {@code step} draws it.
 */
class DiffusersConsistencyTest {
    /** {@code LCMSchedulerTest} / {@code TCDSchedulerTest.get_scheduler_config}. */
    private static Map<String, Object> lcmConfig() {
        return fields("num_train_timesteps", 1000, "beta_start", 0.00085, "beta_end", 0.0120, "beta_schedule", "scaled_linear",
                "prediction_type", "epsilon");
    }

    /** LCM's {@code full_loop}: no input scaling; {@code step} draws noise on every step but the last. */
    private static NDArray lcmLoop(NDManager m, int steps) {
        SchedulerRun run = TorchDraws.run(scheduler("LCMScheduler", lcmConfig()), steps);
        TorchGenerator g = new TorchGenerator(0);
        NDArray sample = sampleDeter(m);
        double[] ts = run.timesteps();
        for (int i = 0; i < ts.length; i++) {
            NDArray residual = model(sample, ts[i]);
            NDArray noise = i != ts.length - 1 ? randn(g, residual) : null;
            sample = run.step(residual, ts[i], sample, noise).prevSample();
        }
        return sample;
    }

    @Test
    void lcmFullLoopsReproduceDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("LCMScheduler test_full_loop_onestep", lcmLoop(m, 1), 18.7097, 1e-3, 0.0244, 1e-3);
            assertStats("LCMScheduler test_full_loop_multistep", lcmLoop(m, 10), 197.7616, 1e-3, 0.2575, 1e-3);
        }
    }

    /** diffusers' LCM timesteps: 10 of the 50 distillation timesteps 999, 979, …, 19. */
    @Test
    void lcmTimestepsAreDiffusers() {
        assertArrayEquals(new double[] {999, 899, 799, 699, 599, 499, 399, 299, 199, 99},
                scheduler("LCMScheduler", lcmConfig()).setTimesteps(10).timesteps());
        assertArrayEquals(new double[] {999, 759, 499, 259}, scheduler("LCMScheduler", lcmConfig()).setTimesteps(4).timesteps());
        SchedulerRun custom = ConsistencySchedulers.setTimesteps(scheduler("LCMScheduler", lcmConfig()), 100, 87, 50, 1, 0);
        assertArrayEquals(new double[] {100, 87, 50, 1, 0}, custom.timesteps());
        assertTrue(custom.plan().end().isClean(), "LCM's last step returns the consistency function: the clean end");
    }

    /** TCD's {@code full_loop} with {@code eta = 0.0} passed to every {@code step} (deterministic, no draws). */
    private static NDArray tcdLoop(NDManager m, int steps) {
        SchedulerRun run = scheduler("TCDScheduler", lcmConfig()).setTimesteps(steps);
        NDArray sample = sampleDeter(m);
        for (double t : run.timesteps()) {
            sample = run.step(model(sample, t), t, sample, 0.0, null).prevSample();
        }
        return sample;
    }

    @Test
    void tcdFullLoopsReproduceDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("TCDScheduler test_full_loop_onestep_deter", tcdLoop(m, 1), 29.8715, 1e-3, 0.0389, 1e-3);
            assertStats("TCDScheduler test_full_loop_multistep_deter", tcdLoop(m, 10), 181.2040, 1e-3, 0.2359, 1e-3);
        }
    }

    /** {@code CMStochasticIterativeSchedulerTest.get_scheduler_config}: T = 201, σ ∈ [0.002, 80]. */
    private static Map<String, Object> cmConfig() {
        return fields("num_train_timesteps", 201, "sigma_min", 0.002, "sigma_max", 80.0);
    }

    /**
     * The consistency-model loop: the model sees {@code scale_model_input(sample, t)}, {@code step} gets the
     * unscaled sample and draws noise at every step when there is more than one timestep.
     */
    private static NDArray cmLoop(SchedulerRun run, int from, NDArray start) {
        TorchGenerator g = new TorchGenerator(0);
        double[] ts = run.timesteps();
        NDArray sample = start;
        for (int i = from; i < ts.length; i++) {
            NDArray residual = model(run.scaleModelInput(sample, ts[i]), ts[i]);
            NDArray noise = ts.length > 1 ? randn(g, residual) : null;
            sample = run.step(residual, ts[i], sample, noise).prevSample();
        }
        return sample;
    }

    @Test
    void consistencyModelFullLoopsReproduceDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            Scheduler s = scheduler("CMStochasticIterativeScheduler", cmConfig());
            SchedulerRun one = TorchDraws.run(s, 1);
            assertEquals(80.0, one.initNoiseSigma(), 1e-9);
            assertStats("CMStochasticIterativeScheduler test_full_loop_no_noise_onestep", cmLoop(one, 0, sampleDeter(m).mul(80.0)),
                    192.7614, 1e-2, 0.2510, 1e-3);

            SchedulerRun custom = ConsistencySchedulers.setTimesteps(s, 106, 0);
            SchedulerRun open = TorchDraws.run(s, custom.plan());
            assertStats("CMStochasticIterativeScheduler test_full_loop_no_noise_multistep",
                    cmLoop(open, 0, sampleDeter(m).mul(open.initNoiseSigma())), 347.6357, 1e-2, 0.4527, 1e-3);
        }
    }

    /** test_full_loop_with_noise: 10 steps, add_noise at timesteps[8] (x + σ₈·noise), then the last two steps. */
    @Test
    void consistencyModelFullLoopWithNoiseReproducesDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            SchedulerRun run = TorchDraws.run(scheduler("CMStochasticIterativeScheduler", cmConfig()), 10);
            double[] ts = run.timesteps();
            NDArray start = run.addNoise(sampleDeter(m).mul(run.initNoiseSigma()), noiseDeter(m), ts[8]);
            assertStats("CMStochasticIterativeScheduler test_full_loop_with_noise", cmLoop(run, 8, start), 763.9186, 1e-2, 0.9947, 1e-3);
        }
    }

    /**
     * Not a diffusers constant: {@code add_noise} at a timestep t = 250·ln σ of the scheduler (not of a run) is
     * x₀ + σ·noise; the model sees x̃/√(σ² + σ_d²); the output parametrisation meets the boundary condition
     * f(x̃, σ_min) = x̃ (c_skip = 1, c_out = 0) and is EDM's c_skip, c_out at σ_min = 0.
     */
    @Test
    void consistencyModelConvention() {
        Scheduler s = scheduler("CMStochasticIterativeScheduler", cmConfig());
        ModelConvention.Consistency cm = (ModelConvention.Consistency) s.recipe().convention();
        assertEquals(1.0, cm.cSkip(0.002), 0);
        assertEquals(0.0, cm.cOut(0.002), 0);
        // σ_min = 0: c_skip = σ_d²/(σ² + σ_d²), c_out = σ·σ_d/√(σ² + σ_d²); by hand at σ = 1.5, σ_d = 0.5: 0.1, 0.75/√2.5
        ModelConvention.Consistency unshifted = new ModelConvention.Consistency(Double.MIN_VALUE, 0.5);
        assertEquals(0.1, unshifted.cSkip(1.5), 1e-15);
        assertEquals(0.75 / Math.sqrt(2.5), unshifted.cOut(1.5), 1e-15);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = sampleDeter(m);
            NDArray noisy = s.addNoise(x, noiseDeter(m), 250 * Math.log(3.0));
            assertArrayEquals(x.add(noiseDeter(m).mul(3.0)).toFloatArray(), noisy.toFloatArray(), 1e-6f);
            SchedulerRun run = s.setTimesteps(10);
            double t = run.timesteps()[0];
            assertEquals(250 * Math.log(80), t, 1e-9);
            assertArrayEquals(x.div(Math.sqrt(80 * 80 + 0.25)).toFloatArray(), run.scaleModelInput(x, t).toFloatArray(), 1e-7f);
        }
        assertTrue(s.recipe().prediction().isEmpty(), "a consistency model's output is not a prediction type");
    }

    /** Published configs (an LCM-LoRA/TCD-style SD 1.5 config, and the consistency-model default) read without unknown fields. */
    @Test
    void publishedConfigsRoundTrip() {
        String lcm = "{\"_class_name\": \"LCMScheduler\", \"_diffusers_version\": \"0.22.0\", \"beta_end\": 0.012, "
                + "\"beta_schedule\": \"scaled_linear\", \"beta_start\": 0.00085, \"clip_sample\": false, \"clip_sample_range\": 1.0, "
                + "\"dynamic_thresholding_ratio\": 0.995, \"num_train_timesteps\": 1000, \"original_inference_steps\": 50, "
                + "\"prediction_type\": \"epsilon\", \"rescale_betas_zero_snr\": false, \"sample_max_value\": 1.0, "
                + "\"set_alpha_to_one\": true, \"steps_offset\": 1, \"thresholding\": false, \"timestep_scaling\": 10.0, "
                + "\"timestep_spacing\": \"leading\", \"trained_betas\": null}";
        for (String className : new String[] {"LCMScheduler", "TCDScheduler"}) {
            Scheduler s = Scheduler.fromConfig(SchedulerConfig.parse(lcm.replace("LCMScheduler", className)));
            assertEquals(java.util.List.of(), s.unknownFields(), className);
            assertEquals(s.config(), SchedulerConfig.parse(s.config().toJson()));
            assertArrayEquals(new double[] {999, 759, 499, 259}, s.setTimesteps(4).timesteps(), className);
        }
        String cm = "{\"_class_name\": \"CMStochasticIterativeScheduler\", \"clip_denoised\": true, \"num_train_timesteps\": 40, "
                + "\"rho\": 7.0, \"s_noise\": 1.0, \"sigma_data\": 0.5, \"sigma_max\": 80.0, \"sigma_min\": 0.002}";
        Scheduler s = Scheduler.fromConfig(SchedulerConfig.parse(cm));
        assertEquals(java.util.List.of(), s.unknownFields());
        // diffusers: timesteps = 250·ln σ of the Karras ramp at (0, 20)/39 → σ_max = 80 first
        assertEquals(250 * Math.log(80.0), s.setTimesteps(2).timesteps()[0], 1e-9);
    }

    @Test
    void badTimestepsSayWhatIsAllowed() {
        Scheduler lcm = scheduler("LCMScheduler", lcmConfig());
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class,
                () -> ConsistencySchedulers.setTimesteps(lcm, 100, 87, 50, 51, 0));
        assertTrue(order.getMessage().contains("descending"), order.getMessage());
        IllegalArgumentException large = assertThrows(IllegalArgumentException.class, () -> ConsistencySchedulers.setTimesteps(lcm, 1000));
        assertTrue(large.getMessage().contains("[0, 999]"), large.getMessage());
        IllegalArgumentException many = assertThrows(IllegalArgumentException.class, () -> lcm.setTimesteps(51));
        assertTrue(many.getMessage().contains("original_inference_steps = 50"), many.getMessage());
        Scheduler cm = scheduler("CMStochasticIterativeScheduler", cmConfig());
        assertThrows(IllegalArgumentException.class, () -> ConsistencySchedulers.setTimesteps(cm, 201));
        assertThrows(IllegalArgumentException.class, () -> ConsistencySchedulers.setTimesteps(scheduler("DDIMScheduler", Map.of()), 10, 0));
        IllegalArgumentException gamma = assertThrows(IllegalArgumentException.class, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                SchedulerRun run = scheduler("TCDScheduler", lcmConfig()).setTimesteps(2);
                NDArray x = sampleDeter(m);
                run.step(x, run.timesteps()[0], x, 1.5, null);
            }
        });
        assertTrue(gamma.getMessage().contains("gamma"), gamma.getMessage());
    }
}
