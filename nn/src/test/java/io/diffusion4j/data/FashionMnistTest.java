package io.diffusion4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads tiny IDX files made here (no installed data set needed, CONTRACT.md). */
class FashionMnistTest {
    @TempDir
    Path dir;

    private static byte[] idx(int dims, int[] sizes, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims + data.length);
        b.putInt(0x00000800 | dims);
        for (int s : sizes) {
            b.putInt(s);
        }
        b.put(data);
        return b.array();
    }

    private static void write(Path p, byte[] bytes, boolean gzip) throws IOException {
        if (!gzip) {
            Files.write(p, bytes);
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        }
        Files.write(p, out.toByteArray());
    }

    private void makeSplit(String prefix, int n, boolean gzip) throws IOException {
        byte[] px = new byte[n * 4 * 4];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 7);
        }
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
        }
        String gz = gzip ? ".gz" : "";
        write(dir.resolve(prefix + "-images-idx3-ubyte" + gz), idx(3, new int[] {n, 4, 4}, px), gzip);
        write(dir.resolve(prefix + "-labels-idx1-ubyte" + gz), idx(1, new int[] {n}, labels), gzip);
    }

    @Test
    void readsGzippedAndPlainFilesAndScalesToMinusOneOne() throws IOException {
        makeSplit("train", 12, true);
        makeSplit("t10k", 3, false);
        try (NDManager m = NDManager.newBaseManager();
             LabeledImages train = FashionMnist.load(m, dir, true);
             LabeledImages test = FashionMnist.load(m, dir, false)) {
            assertEquals(12, train.size());
            assertEquals(3, test.size());
            NDArray x = train.images(m, new long[] {1, 0});
            assertEquals(new ai.djl.ndarray.types.Shape(2, 1, 4, 4), x.getShape());
            float first = (byte) (16 * 7) & 0xFF;   // pixel 0 of image 1
            assertEquals(first / 127.5f - 1f, x.getFloat(0, 0, 0, 0), 1e-6f);
            assertEquals(-1f, x.getFloat(1, 0, 0, 0));
            assertArrayEquals(new long[] {5, 1}, train.labels(m, new long[] {5, 11}).toLongArray());
        }
    }

    @Test
    void corruptAndTruncatedFilesNameTheFile() throws IOException {
        makeSplit("train", 6, true);
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        byte[] gz = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(gz, gz.length / 2));
        try (NDManager m = NDManager.newBaseManager()) {
            IOException e = assertThrows(IOException.class, () -> FashionMnist.load(m, dir, true));
            assertTrue(e.getMessage().contains(images.toString()) && e.getMessage().contains("truncated"), e.getMessage());

            Files.delete(images);
            Path plain = dir.resolve("train-images-idx3-ubyte");
            byte[] full = idx(3, new int[] {6, 4, 4}, new byte[6 * 16]);
            Files.write(plain, Arrays.copyOf(full, full.length - 5));
            e = assertThrows(IOException.class, () -> FashionMnist.load(m, dir, true));
            assertTrue(e.getMessage().contains(plain.toString()) && e.getMessage().contains("truncated"), e.getMessage());

            Files.write(plain, "not an idx file at all".getBytes());
            e = assertThrows(IOException.class, () -> FashionMnist.load(m, dir, true));
            assertTrue(e.getMessage().contains(plain.toString()) && e.getMessage().contains("not an IDX"), e.getMessage());

            Files.write(plain, idx(3, new int[] {5, 4, 4}, new byte[5 * 16]));
            e = assertThrows(IOException.class, () -> FashionMnist.load(m, dir, true));
            assertTrue(e.getMessage().contains("6 labels") && e.getMessage().contains("5 images"), e.getMessage());

            e = assertThrows(IOException.class, () -> FashionMnist.load(m, dir.resolve("nowhere"), true));
            assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
        }
    }

    @Test
    void epochSamplerVisitsEveryImageOncePerEpochAndIsResumable() {
        EpochSampler s = new EpochSampler(10, 4, 3);
        Set<Long> firstEpoch = new HashSet<>();
        long[] all = new long[20];
        for (int step = 0; step < 5; step++) {
            System.arraycopy(s.indices(step), 0, all, step * 4, 4);
        }
        for (int i = 0; i < 10; i++) {
            firstEpoch.add(all[i]);
        }
        assertEquals(10, firstEpoch.size());
        assertArrayEquals(s.indices(3), new EpochSampler(10, 4, 3).indices(3));
    }
}
