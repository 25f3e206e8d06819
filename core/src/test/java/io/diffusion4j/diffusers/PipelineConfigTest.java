package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.BetaSchedule;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.TablePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code scheduler_config.json} files of public Stable Diffusion pipelines, written here from the
 * fields their model cards' repositories document, load, sample and write back the same fields. Such
 * files carry fields of other classes (diffusers copies configs between schedulers): those are reported
 * as unknown, not dropped.
 */
class PipelineConfigTest {
    /** stabilityai/stable-diffusion-2-1 {@code scheduler/scheduler_config.json}: DDIM, v-prediction, scaled-linear β. */
    static final String SD21 = """
            {
              "_class_name": "DDIMScheduler",
              "_diffusers_version": "0.8.0",
              "beta_end": 0.012,
              "beta_schedule": "scaled_linear",
              "beta_start": 0.00085,
              "clip_sample": false,
              "num_train_timesteps": 1000,
              "prediction_type": "v_prediction",
              "set_alpha_to_one": false,
              "skip_prk_steps": true,
              "steps_offset": 1,
              "trained_betas": null
            }
            """;

    /** stabilityai/stable-diffusion-xl-base-1.0 {@code scheduler/scheduler_config.json}: Euler, leading spacing. */
    static final String SDXL = """
            {
              "_class_name": "EulerDiscreteScheduler",
              "_diffusers_version": "0.19.0.dev0",
              "beta_end": 0.012,
              "beta_schedule": "scaled_linear",
              "beta_start": 0.00085,
              "clip_sample": false,
              "interpolation_type": "linear",
              "num_train_timesteps": 1000,
              "prediction_type": "epsilon",
              "sample_max_value": 1.0,
              "set_alpha_to_one": false,
              "skip_prk_steps": true,
              "steps_offset": 1,
              "timestep_spacing": "leading",
              "trained_betas": null,
              "use_karras_sigmas": false
            }
            """;

    @TempDir
    Path dir;

    /** The pipeline's initial latent: standard normal noise times init_noise_sigma. */
    private static NDArray start(SchedulerRun run, NDManager m) {
        return new NoiseSource(3).normal(m, new Shape(4, 8, 8), NoiseSource.range(0, 2), 0).mul(run.initNoiseSigma());
    }

    /** Runs the pipeline loop from {@code x} with a model whose output is zero. */
    private static NDArray sample(SchedulerRun run, NDArray x) {
        for (double t : run.timesteps()) {
            NDArray in = run.scaleModelInput(x, t);
            x = run.step(in.zerosLike(), t, x).prevSample();
        }
        return x;
    }

    @Test
    void stableDiffusion21LoadsSamplesAndWritesBack() throws Exception {
        Scheduler s = Scheduler.fromConfig(SchedulerConfig.parse(SD21));
        assertEquals(List.of("skip_prk_steps"), s.unknownFields());
        SchedulerRun run = s.setTimesteps(50);
        // leading spacing, T div N = 20, plus steps_offset 1: 981, 961, ..., 1
        assertEquals(981.0, run.timesteps()[0]);
        assertEquals(1.0, run.timesteps()[49]);
        assertEquals(1.0, run.initNoiseSigma());
        try (NDManager m = NDManager.newBaseManager()) {
            float[] x = sample(run, start(run, m)).toFloatArray();
            for (float v : x) {
                assertTrue(Float.isFinite(v));
            }
        }
        Path file = dir.resolve("scheduler_config.json");
        s.config().write(file);
        SchedulerConfig back = SchedulerConfig.read(file);
        assertEquals(SchedulerConfig.parse(SD21), back);
        assertArrayEquals(SchedulerConfig.parse(SD21).fields().keySet().toArray(), back.fields().keySet().toArray());
    }

    @Test
    void stableDiffusionXlLoadsSamplesAndWritesBack() throws Exception {
        Scheduler s = Scheduler.fromConfig(SchedulerConfig.parse(SDXL));
        assertEquals(List.of("sample_max_value", "set_alpha_to_one", "skip_prk_steps"), s.unknownFields());
        SchedulerRun run = s.setTimesteps(30);
        // leading: 0, 33, ..., 957 (T div N = 33) reversed, + 1
        assertEquals(958.0, run.timesteps()[0], 1e-9);
        assertEquals(1.0, run.timesteps()[29], 1e-9);
        // leading spacing: init_noise_sigma = sqrt(sigma(958)^2 + 1); numpy float64 on diffusers' float32 betas: 11.520330029
        assertEquals(11.520330029494733, run.initNoiseSigma(), 1e-5);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = start(run, m);
            float[] before = x.toFloatArray();
            float[] after = sample(run, x).toFloatArray();
            // ε̂ = 0 makes every Euler step x̃ + (σ' − σ)·0: the sample must come out as it went in
            for (int i = 0; i < before.length; i++) {
                assertEquals(before[i], after[i], 1e-5 * Math.abs(before[i]) + 1e-6);
            }
        }
        Path file = dir.resolve("sdxl.json");
        s.config().write(file);
        assertEquals(SchedulerConfig.parse(SDXL), SchedulerConfig.read(file));
    }

    /** What {@link DiscreteVp.Config#diffusersFields} writes, a scheduler config reads back as the same table. */
    @Test
    void aTableWrittenAsDiffusersFieldsReadsBackTheSame() {
        for (DiscreteVp.Config c : List.of(DiscreteVp.Config.DEFAULT,
                new DiscreteVp.Config(500, BetaSchedule.SCALED_LINEAR, 0.00085, 0.012, true, TablePrecision.FLOAT32))) {
            String json = "{\"_class_name\": \"DDIMScheduler\", " + c.diffusersFields() + "}";
            assertEquals(new DiscreteVp(c), Scheduler.fromConfig(SchedulerConfig.parse(json)).recipe().schedule(), json);
        }
        assertEquals("\"num_train_timesteps\": 1000, \"beta_schedule\": \"linear\", \"beta_start\": 0.0001, \"beta_end\": 0.02",
                DiscreteVp.Config.DEFAULT.diffusersFields());
    }
}
