package io.diffusion4j.cli;

import io.diffusion4j.io.Npy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.diffusion4j.cli.CliRun.assertOneLineError;
import static io.diffusion4j.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** generate, sample and info end to end on a tiny model made here. */
class SampleCommandsTest {
    @TempDir
    static Path shared;
    static Path model;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeModel() throws Exception {
        model = CliRun.tinyModel(shared.resolve("tiny"), 3);
    }

    @Test
    void sampleWritesNpyWithCyclingLabels() throws Exception {
        Path out = dir.resolve("s");
        CliRun.Result r = run("sample", "--checkpoint", model.toString(), "--n", "7", "--batch", "3", "--steps", "2", "--format", "npy",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Npy.Array s = Npy.read(out.resolve("samples.npy"));
        assertArrayEquals(new long[] {7, 1, 8, 8}, s.shape());
        for (float v : s.floats()) {
            assertTrue(v >= -1 && v <= 1, "in [-1, 1]: " + v);
        }
        Npy.Array l = Npy.read(out.resolve("labels.npy"));
        assertArrayEquals(new long[] {7}, l.shape());
        assertArrayEquals(new long[] {0, 1, 2, 0, 1, 2, 0}, l.longs());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary folder left");
        }
    }

    /** A bad --guidance-interval is a one-line usage error (BundledModelTest checks that a good one reaches the sampler). */
    @Test
    void aBadGuidanceIntervalIsOneLine() {
        String m = model.toString();
        assertOneLineError(run("sample", "--checkpoint", m, "--guidance-interval", "5,1", "--out", dir.resolve("o").toString()), 2,
                "--guidance-interval 5,1: guidance interval must have 0 <= low < high");
        assertOneLineError(run("sample", "--checkpoint", m, "--guidance-interval", "0.28", "--out", dir.resolve("o").toString()), 2,
                "--guidance-interval must be LOW,HIGH");
        assertOneLineError(run("sample", "--checkpoint", m, "--guidance-interval", "a,b", "--out", dir.resolve("o").toString()), 2,
                "--guidance-interval must be LOW,HIGH");
    }

    /** sde and pc leave visible noise below about 100 steps: the command still runs, with a warning. */
    @Test
    void fewStepsOfTheSdeSamplersDrawAWarning() throws Exception {
        CliRun.Result r = run("sample", "--checkpoint", model.toString(), "--n", "2", "--steps", "10", "--sampler", "sde", "--format", "npy",
                "--out", dir.resolve("sde").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: --sampler sde at 10 steps leaves visible noise; it needs about 100 steps or more"), r.err());
        CliRun.Result quiet = run("sample", "--checkpoint", model.toString(), "--n", "2", "--steps", "10", "--sampler", "euler",
                "--format", "npy", "--out", dir.resolve("euler").toString());
        assertFalse(quiet.err().contains("warning"), quiet.err());
    }

    @Test
    void imagesDoNotDependOnBatchSizeOrCount() throws Exception {
        run("sample", "--checkpoint", model.toString(), "--n", "5", "--batch", "5", "--steps", "3", "--sampler", "ddpm", "--out", dir.resolve("a").toString());
        run("sample", "--checkpoint", model.toString(), "--n", "3", "--batch", "2", "--steps", "3", "--sampler", "ddpm", "--out", dir.resolve("b").toString());
        float[] a = Npy.read(dir.resolve("a/samples.npy")).floats();
        float[] b = Npy.read(dir.resolve("b/samples.npy")).floats();
        for (int i = 0; i < b.length; i++) {
            assertEquals(a[i], b[i], 0f, "value " + i);
        }
    }

    @Test
    void sampleAsPngsAndFixedClass() throws Exception {
        Path out = dir.resolve("p");
        CliRun.Result r = run("sample", "--checkpoint", model.toString(), "--n", "4", "--steps", "2", "--format", "png", "--class", "2",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(out.resolve("000003.png").toFile());
        assertEquals(8, img.getWidth());
        assertArrayEquals(new long[] {2, 2, 2, 2}, Npy.read(out.resolve("labels.npy")).longs());
    }

    @Test
    void generateWritesAGridAndAGif() throws Exception {
        Path png = dir.resolve("g.png");
        Path gif = dir.resolve("g.gif");
        CliRun.Result r = run("generate", "--checkpoint", model.toString(), "--count", "6", "--steps", "3", "--sampler", "euler-a",
                "--out", png.toString(), "--gif", gif.toString());
        assertEquals(0, r.code(), r.err());
        assertNotNull(ImageIO.read(png.toFile()));
        assertTrue(Files.size(gif) > 100);
        assertTrue(r.out().contains("wrote"), r.out());
    }

    /** 55 images sample in two batches (50 + 5); each GIF frame still shows all of them. */
    @Test
    void aGifOfSeveralBatchesHasOneFullFramePerStep() throws Exception {
        Path png = dir.resolve("g.png");
        Path gif = dir.resolve("g.gif");
        CliRun.Result r = run("generate", "--checkpoint", model.toString(), "--count", "55", "--steps", "2", "--out", png.toString(),
                "--gif", gif.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage grid = ImageIO.read(png.toFile());
        javax.imageio.ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
        try (javax.imageio.stream.ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            reader.setInput(in);
            assertEquals(2 + 1, reader.getNumImages(true), "a frame per step and the final images");
            for (int f = 0; f < 3; f++) {
                assertEquals(grid.getWidth(), reader.read(f).getWidth());
                assertEquals(grid.getHeight(), reader.read(f).getHeight());
            }
        } finally {
            reader.dispose();
        }
    }

    @Test
    void infoDescribesTheModel() {
        CliRun.Result r = run("info", "--checkpoint", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("3 (+ null label 3 for guidance)"), r.out());
        assertTrue(r.out().contains("prediction  epsilon"), r.out());
        assertTrue(r.out().contains("images      (1, 8, 8)"), r.out());
    }

    @Test
    void oneLineErrors() throws Exception {
        Path out = dir.resolve("x");
        String m = model.toString();
        assertOneLineError(run("sample", "--checkpoint", m, "--sampler", "dpm-fast", "--out", out.toString()), 2, "unknown sampler 'dpm-fast'");
        assertOneLineError(run("sample", "--checkpoint", m, "--steps", "-1", "--out", out.toString()), 2, "--steps must be in 1..1000, got -1");
        assertOneLineError(run("sample", "--checkpoint", m, "--class", "7", "--out", out.toString()), 2, "--class must be in 0..2, got 7");
        assertOneLineError(run("generate", "--checkpoint", m, "--class", "purse", "--out", dir.resolve("y.png").toString()), 2, "--class must be a number 0..2");
        assertOneLineError(run("sample", "--checkpoint", dir.resolve("missing").toString(), "--out", out.toString()), 1, "does not exist");
        assertOneLineError(run("sample", "--checkpoint", m, "--format", "jpg", "--out", out.toString()), 2, "--format");
        assertOneLineError(run("generate", "--checkpoint", m, "--out", dir.resolve("nope/y.png").toString()), 1, "does not exist");
        assertOneLineError(run("sample", "--checkpoint", m, "--guidance", "NaN", "--out", out.toString()), 2, "--guidance must be in 0..30");
        assertOneLineError(run("sample", "--checkpoint", m, "--guidance-rescale", "1.5", "--out", out.toString()), 2,
                "--guidance-rescale must be in 0..1");
        Path corrupt = dir.resolve("corrupt");
        Files.createDirectories(corrupt);
        Files.copy(model.resolve("model.json"), corrupt.resolve("model.json"));
        Files.write(corrupt.resolve("ema.safetensors"), new byte[] {1, 2, 3});
        assertOneLineError(run("info", "--checkpoint", corrupt.toString()), 1, "truncated");
        assertFalse(Files.exists(out), "nothing written by failed commands");
    }

    @Test
    void guidanceRescaleChangesGuidedSamplesOnly() throws Exception {
        String m = model.toString();
        run("sample", "--checkpoint", m, "--n", "3", "--steps", "2", "--guidance", "3", "--out", dir.resolve("a").toString());
        run("sample", "--checkpoint", m, "--n", "3", "--steps", "2", "--guidance", "3", "--guidance-rescale", "0.7", "--out",
                dir.resolve("b").toString());
        run("sample", "--checkpoint", m, "--n", "3", "--steps", "2", "--guidance", "1", "--out", dir.resolve("c").toString());
        CliRun.Result r = run("sample", "--checkpoint", m, "--n", "3", "--steps", "2", "--guidance", "1", "--guidance-rescale", "0.7",
                "--out", dir.resolve("d").toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(java.util.Arrays.equals(Npy.read(dir.resolve("a/samples.npy")).floats(), Npy.read(dir.resolve("b/samples.npy")).floats()),
                "rescaling changes guided samples");
        assertArrayEquals(Npy.read(dir.resolve("c/samples.npy")).floats(), Npy.read(dir.resolve("d/samples.npy")).floats(),
                "without guidance there is nothing to rescale");
    }

    @Test
    void sampleFollowsADiffusersSchedulerConfig() throws Exception {
        Path cfg = dir.resolve("scheduler_config.json");
        Files.writeString(cfg, "{\"_class_name\": \"DPMSolverMultistepScheduler\", \"_diffusers_version\": \"0.30.0\", "
                + "\"use_karras_sigmas\": true, \"solver_order\": 2, \"beta_schedule\": \"linear\"}");
        Path out = dir.resolve("k");
        CliRun.Result r = run("sample", "--checkpoint", model.toString(), "--scheduler-config", cfg.toString(), "--n", "3", "--steps", "4",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("DPMSolverMultistepScheduler"), r.out());
        assertArrayEquals(new long[] {3, 1, 8, 8}, Npy.read(out.resolve("samples.npy")).shape());
        String m = model.toString();
        Files.writeString(dir.resolve("other.json"), "{\"_class_name\": \"EulerDiscreteScheduler\", \"beta_schedule\": \"scaled_linear\"}");
        assertOneLineError(run("sample", "--checkpoint", m, "--scheduler-config", dir.resolve("other.json").toString(), "--out",
                dir.resolve("o").toString()), 2, "this EulerDiscreteScheduler has the training table {\"num_train_timesteps\": 1000, "
                + "\"beta_schedule\": \"scaled_linear\"");
        // Heun's class defaults have Stable Diffusion's β end points, not the model's: the error says what to write
        Files.writeString(dir.resolve("heun.json"), "{\"_class_name\": \"HeunDiscreteScheduler\"}");
        assertOneLineError(run("sample", "--checkpoint", m, "--scheduler-config", dir.resolve("heun.json").toString(), "--out",
                dir.resolve("o").toString()), 2, "this HeunDiscreteScheduler has the training table {\"num_train_timesteps\": 1000, "
                + "\"beta_schedule\": \"linear\", \"beta_start\": 0.00085, \"beta_end\": 0.012} and the model {\"num_train_timesteps\": "
                + "1000, \"beta_schedule\": \"linear\", \"beta_start\": 0.0001, \"beta_end\": 0.02}; write the model's fields into the file");
        // a class without a β table cannot be told one
        Files.writeString(dir.resolve("ipndm.json"), "{\"_class_name\": \"IPNDMScheduler\"}");
        assertOneLineError(run("sample", "--checkpoint", m, "--scheduler-config", dir.resolve("ipndm.json").toString(), "--out",
                dir.resolve("o").toString()), 2, "IPNDMScheduler samples a continuous-time cosine model, and this one is a discrete-time");
        Files.writeString(dir.resolve("unknown.json"), "{\"_class_name\": \"FancyScheduler\"}");
        assertOneLineError(run("sample", "--checkpoint", m, "--scheduler-config", dir.resolve("unknown.json").toString(), "--out",
                dir.resolve("o").toString()), 2, "unknown scheduler class \"FancyScheduler\"");
        assertOneLineError(run("sample", "--checkpoint", m, "--scheduler-config", cfg.toString(), "--sampler", "ddim", "--out",
                dir.resolve("o").toString()), 2, "give one of them");
        assertOneLineError(run("sample", "--checkpoint", m, "--scheduler-config", dir.resolve("none.json").toString(), "--out",
                dir.resolve("o").toString()), 1, "cannot be read");
        assertFalse(Files.exists(dir.resolve("o")), "nothing written by a failed command");
    }
}
