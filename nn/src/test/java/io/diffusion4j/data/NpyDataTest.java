package io.diffusion4j.data;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** .npy data sets made here: samples of any shape, optional labels, and broken files. */
class NpyDataTest {
    @TempDir
    Path dir;

    private Path floats(String name, float[] v, long... shape) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(p)) {
            Npy.writeFloat32(out, v, shape);
        }
        return p;
    }

    private Path longs(String name, long[] v, long... shape) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(p)) {
            Npy.writeInt64(out, v, shape);
        }
        return p;
    }

    @Test
    void tabularSamplesWithAndWithoutLabels() throws IOException {
        Path x = floats("x.npy", new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Path y = longs("y.npy", new long[] {2, 0, 1}, 3);
        try (NDManager m = NDManager.newBaseManager();
             Samples plain = NpyData.load(m, x, null, 0);
             Samples labelled = NpyData.load(m, x, y, 0);
             Samples fiveClasses = NpyData.load(m, x, y, 5)) {
            assertEquals(new Shape(2), plain.sampleShape());
            assertEquals(0, plain.numClasses());
            assertNull(plain.labels(m, new long[] {0}));
            assertArrayEquals(new float[] {5, 6, 1, 2}, plain.batch(m, new long[] {2, 0}).toFloatArray());
            assertEquals(3, labelled.numClasses());   // max label + 1
            assertArrayEquals(new long[] {1, 2}, labelled.labels(m, new long[] {2, 0}).toLongArray());
            assertEquals(5, fiveClasses.numClasses());
        }
        Path images = floats("img.npy", new float[2 * 3 * 2 * 2], 2, 3, 2, 2);
        try (NDManager m = NDManager.newBaseManager(); Samples s = NpyData.load(m, images, null, 0)) {
            assertEquals(new Shape(3, 2, 2), s.sampleShape());
        }
    }

    @Test
    void brokenFilesNameTheFile() throws IOException {
        Path x = floats("x.npy", new float[40], 20, 2);
        byte[] bytes = Files.readAllBytes(x);
        Path truncated = dir.resolve("truncated.npy");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 9));
        assertFails(truncated, null, truncated + " is truncated");

        Path garbage = dir.resolve("garbage.npy");
        Files.writeString(garbage, "certainly not numpy");
        assertFails(garbage, null, garbage + " is not a .npy file");

        Path badShape = dir.resolve("shape.npy");
        byte[] corrupt = bytes.clone();
        String header = new String(corrupt, 10, 60, StandardCharsets.ISO_8859_1);
        int at = 10 + header.indexOf("(20, 2)");
        corrupt[at + 1] = 'x';   // (x0, 2)
        Files.write(badShape, corrupt);
        assertFails(badShape, null, badShape + ": the .npy header has an unreadable shape");

        assertFails(dir.resolve("missing.npy"), null, "missing.npy does not exist");
        Path vector = floats("vector.npy", new float[] {1, 2}, 2);
        assertFails(vector, null, vector + " has shape [2]");
        Path ints = longs("ints.npy", new long[] {1, 2}, 1, 2);
        assertFails(ints, null, ints + " holds integers");
        Path nan = floats("nan.npy", new float[] {0, 0, 1, Float.NaN}, 2, 2);
        assertFails(nan, null, nan + " holds NaN in sample 1");

        assertFails(x, longs("few.npy", new long[] {0, 1}, 2), "few.npy has shape [2]; labels must have shape (20)");
        assertFails(x, floats("float-labels.npy", new float[20], 20), "float-labels.npy holds floats");
        long[] negative = new long[20];
        negative[7] = -1;
        assertFails(x, longs("negative.npy", negative, 20), "negative.npy has label -1 at index 7");
    }

    private void assertFails(Path data, Path labels, String message) {
        try (NDManager m = NDManager.newBaseManager()) {
            IOException e = assertThrows(IOException.class, () -> NpyData.load(m, data, labels, 0).close());
            assertTrue(e.getMessage().contains(message), e.getMessage());
        }
    }
}
