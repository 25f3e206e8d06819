package io.diffusion4j.cli;

import io.diffusion4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static io.diffusion4j.cli.CliRun.assertOneLineError;
import static io.diffusion4j.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train → resume → sample from the run, on a tiny U-Net and 8×8 random images. */
class TrainCommandTest {
    @TempDir
    Path dir;

    private static final String CONFIG = """
            {"network": {"inChannels": 1, "baseChannels": 8, "channelMult": [1, 2], "resBlocks": 1, "attentionLevels": [],
                         "middleAttention": false, "heads": 1, "groups": 4, "dropout": 0.0, "numClasses": 0},
             "train": {"steps": 4, "batchSize": 4, "lr": 0.001, "warmupSteps": 1, "cosine": true, "weightDecay": 0.0,
                       "beta1": 0.9, "beta2": 0.999, "adamEps": 1e-8, "gradClip": 1.0, "emaDecay": 0.99, "seed": 3, "maxBadSteps": 10}}
            """;

    private Path data() throws Exception {
        Random r = new Random(1);
        float[] x = new float[16 * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        Path file = dir.resolve("x.npy");
        try (OutputStream o = Files.newOutputStream(file)) {
            Npy.writeFloat32(o, x, 16, 1, 8, 8);
        }
        return file;
    }

    @Test
    void trainsResumesAndSamplesFromTheRun() throws Exception {
        Path cfg = dir.resolve("cfg.json");
        Files.writeString(cfg, CONFIG);
        Path out = dir.resolve("run");
        String data = data().toString();
        CliRun.Result r = run("train", "--data", data, "--config", cfg.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isDirectory(out.resolve("step-00000004")), "final checkpoint");
        assertTrue(Files.isRegularFile(out.resolve("grid-00000004.png")), "sample grid");
        assertTrue(Files.isRegularFile(out.resolve("loss.png")), "loss curve");
        assertEquals(4, Files.readAllLines(out.resolve("metrics.jsonl")).size());

        assertOneLineError(run("train", "--data", data, "--config", cfg.toString(), "--out", out.toString()), 2, "add --resume");
        r = run("train", "--data", data, "--config", cfg.toString(), "--out", out.toString(), "--resume", "--steps", "6");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isDirectory(out.resolve("step-00000006")));

        r = run("sample", "--checkpoint", out.toString(), "--n", "3", "--steps", "2", "--out", dir.resolve("s").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(3, Npy.read(dir.resolve("s/samples.npy")).shape()[0]);
        assertTrue(!Files.exists(dir.resolve("s/labels.npy")), "an unconditional model writes no labels");

        Path model = dir.resolve("model");
        r = run("export", "--checkpoint", out.toString(), "--out", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("step 6"), r.out());
        assertTrue(Files.isRegularFile(model.resolve("model.json")) && Files.isRegularFile(model.resolve("ema.safetensors")));
        // a model folder is for sharing: as readable as anything else written here, not private like a temp file
        Path plainFile = Files.createFile(dir.resolve("plain"));
        Path plainDir = Files.createDirectory(dir.resolve("plain-dir"));
        assertEquals(Files.getPosixFilePermissions(plainDir), Files.getPosixFilePermissions(model));
        assertEquals(Files.getPosixFilePermissions(plainFile), Files.getPosixFilePermissions(model.resolve("model.json")));
        assertEquals(Files.getPosixFilePermissions(plainFile), Files.getPosixFilePermissions(model.resolve("ema.safetensors")));
        r = run("sample", "--checkpoint", model.toString(), "--n", "3", "--steps", "2", "--out", dir.resolve("s2").toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Npy.read(dir.resolve("s/samples.npy")).floats(), Npy.read(dir.resolve("s2/samples.npy")).floats(),
                "the exported EMA weights sample exactly as the checkpoint");
        assertOneLineError(run("export", "--checkpoint", out.toString(), "--out", model.toString()), 2, "add --force");
    }

    @Test
    void badDataAndSettings() throws Exception {
        assertOneLineError(run("train", "--data", dir.resolve("none.npy").toString(), "--out", dir.resolve("o").toString()), 1, "does not exist");
        assertOneLineError(run("train", "--data", "toy:moons"), 2, "2-D toys");
        Path cfg = dir.resolve("bad.json");
        Files.writeString(cfg, "[1, 2]");
        assertOneLineError(run("train", "--data", data().toString(), "--config", cfg.toString()), 2, "is not a JSON object");
        assertOneLineError(run("train", "--data", data().toString(), "--weighting", "huber", "--out", dir.resolve("o").toString()), 2,
                "--weighting must be one of uniform, min-snr, vlb");
    }
}
