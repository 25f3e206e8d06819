package io.diffusion4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.diffusion4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static io.diffusion4j.cli.CliRun.assertOneLineError;
import static io.diffusion4j.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** eval and bench end to end on tiny inputs. */
class EvalBenchCommandsTest {
    @TempDir
    Path dir;

    /** n random 28x28 images in [-1, 1] as samples.npy, and labels.npy cycling 0..9, in {@code folder}. */
    private static Path writeSamples(Path folder, int n, int labelCount) throws Exception {
        Files.createDirectories(folder);
        Random r = new Random(7);
        float[] x = new float[n * 28 * 28];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * r.nextDouble() - 1);
        }
        long[] labels = new long[labelCount];
        for (int i = 0; i < labelCount; i++) {
            labels[i] = i % 10;
        }
        try (OutputStream o = Files.newOutputStream(folder.resolve("samples.npy"))) {
            Npy.writeFloat32(o, x, n, 1, 28, 28);
        }
        try (OutputStream o = Files.newOutputStream(folder.resolve("labels.npy"))) {
            Npy.writeInt64(o, labels, labelCount);
        }
        return folder;
    }

    @Test
    void evalWritesTheContractKeysWithFloorsUnderReference() throws Exception {
        Path s = writeSamples(dir.resolve("s"), 30, 30);
        Path json = dir.resolve("eval.json");
        CliRun.Result r = run("eval", s.resolve("samples.npy").toString(), "--labels", s.resolve("labels.npy").toString(), "--json",
                json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("FD"), r.out());
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(30, o.get("n").getAsInt());
        for (String key : new String[] {"fd", "kid", "kid_std", "precision", "recall", "class_accuracy"}) {
            assertTrue(o.has(key), key);
            assertTrue(Double.isFinite(o.get(key).getAsDouble()), key);
        }
        double acc = o.get("class_accuracy").getAsDouble();
        assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);
        JsonObject ref = o.getAsJsonObject("reference");
        assertEquals(30, ref.get("n").getAsInt());
        // uniform noise is far from garments: farther than real training images are from the test set
        assertTrue(o.get("fd").getAsDouble() > 2 * ref.get("fd").getAsDouble(), o.toString());
        assertTrue(o.get("kid").getAsDouble() > 10 * ref.get("kid").getAsDouble(), o.toString());
        assertTrue(ref.get("test_accuracy").getAsDouble() > 0.9, ref.toString());
    }

    @Test
    void evalOfASampleFolderReadsItsSamplesAndPointsAtTheLabels() throws Exception {
        Path s = writeSamples(dir.resolve("s"), 12, 12);
        CliRun.Result r = run("eval", s.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("add --labels"), r.out());
        assertTrue(r.out().matches("(?s).*class accuracy +- .*"), "no accuracy without labels: " + r.out());
    }

    /** The launcher's streams are buffered and main() ends with System.exit: the table must be flushed. */
    @Test
    void evalTableReachesABufferedStream() throws Exception {
        Path s = writeSamples(dir.resolve("s"), 12, 12);
        java.io.StringWriter sink = new java.io.StringWriter();
        java.io.PrintWriter buffered = new java.io.PrintWriter(new java.io.BufferedWriter(sink, 1 << 16), true);
        int code = Main.execute(buffered, new java.io.PrintWriter(new java.io.StringWriter(), true), "eval", s.resolve("samples.npy").toString(),
                "--labels", s.resolve("labels.npy").toString());
        assertEquals(0, code);
        assertTrue(sink.toString().contains("class accuracy"), "flushed before returning: '" + sink + "'");
    }

    @Test
    void evalErrorsAreOneLine() throws Exception {
        Path s = writeSamples(dir.resolve("s"), 12, 11);
        assertOneLineError(run("eval", dir.resolve("missing.npy").toString()), 1, "does not exist");
        assertOneLineError(run("eval", s.resolve("samples.npy").toString(), "--labels", s.resolve("labels.npy").toString()), 1,
                "11 labels for 12 images");
        Files.writeString(dir.resolve("bad.npy"), "not a numpy file");
        assertOneLineError(run("eval", dir.resolve("bad.npy").toString()), 1, "bad.npy");
        Path few = writeSamples(dir.resolve("few"), 3, 3);
        assertOneLineError(run("eval", few.toString()), 1, "scores 10 to 10000");
        Files.writeString(dir.resolve("old.json"), "{}");
        assertOneLineError(run("eval", s.toString(), "--json", dir.resolve("old.json").toString()), 2, "--force");
        assertEquals("{}", Files.readString(dir.resolve("old.json")), "not overwritten");
        assertOneLineError(run("eval"), 2, "SAMPLES");
    }

    @Test
    void benchPrintsTheTrainLineOfTheContract() {
        CliRun.Result r = run("bench", "--threads", "1", "--batch", "2", "--warmup", "0", "--steps", "1", "--forward-steps", "1",
                "--no-torch");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        JsonObject train = JsonParser.parseString(lines[0]).getAsJsonObject();
        assertEquals("train", train.get("bench").getAsString());
        assertEquals("unet-fmnist", train.get("network").getAsString());
        assertEquals(2, train.get("batch").getAsInt());
        assertTrue(train.get("img_per_s").getAsDouble() > 0);
        assertTrue(train.get("torch_img_per_s").isJsonNull());
        assertTrue(train.get("ratio").isJsonNull());
        for (String line : lines) {
            assertFalse(JsonParser.parseString(line).getAsJsonObject().get("bench").getAsString().isEmpty());
        }
    }

    @Test
    void benchRejectsBadNumbersBeforeRunning() {
        assertOneLineError(run("bench", "--threads", "0"), 2, "threads");
        assertOneLineError(run("bench", "--batch", "x"), 2, "--batch");
        assertOneLineError(run("bench", "--profile", "--memory-steps", "10000"), 2, "one of them");
    }
}
