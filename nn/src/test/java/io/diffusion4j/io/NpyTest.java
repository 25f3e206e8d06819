package io.diffusion4j.io;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {
    @Test
    void headerIsNumpysByteForByte() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.writeFloat32(out, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        byte[] b = out.toByteArray();
        // numpy.save(np.arange(1, 7, dtype='<f4').reshape(2, 3)) writes this 118-byte header (format 1.0):
        String header = new String(b, 10, 118, StandardCharsets.US_ASCII);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + " ".repeat(58) + "\n", header);
        assertEquals(128 + 24, b.length);
        assertEquals(0, (10 + 118) % 64, "data starts on a 64-byte boundary");
    }

    @Test
    void roundTripsFloatsAndLongsIncludingOneDimensionalShapes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.writeInt64(out, new long[] {0, 1, 9, -3}, 4);
        String header = new String(out.toByteArray(), 10, 60, StandardCharsets.US_ASCII);
        assertTrue(header.contains("'shape': (4,)"), header);
        Npy.Array a = Npy.parse(out.toByteArray(), "labels.npy");
        assertArrayEquals(new long[] {4}, a.shape());
        assertArrayEquals(new long[] {0, 1, 9, -3}, a.longs());
        out.reset();
        float[] v = {-1f, 0.5f, 1f, 0f, 0.25f, -0.75f};
        Npy.writeFloat32(out, v, 2, 1, 1, 3);
        Npy.Array f = Npy.parse(out.toByteArray(), "s.npy");
        assertArrayEquals(new long[] {2, 1, 1, 3}, f.shape());
        assertArrayEquals(v, f.floats());
    }

    @Test
    void corruptFilesFailWithTheirName() throws IOException {
        IOException e = assertThrows(IOException.class, () -> Npy.parse("hello world".getBytes(StandardCharsets.US_ASCII), "x.npy"));
        assertTrue(e.getMessage().startsWith("x.npy is not a .npy file"), e.getMessage());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.writeFloat32(out, new float[100], 100);
        byte[] truncated = Arrays.copyOf(out.toByteArray(), 200);
        e = assertThrows(IOException.class, () -> Npy.parse(truncated, "t.npy"));
        assertTrue(e.getMessage().contains("t.npy is truncated"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Npy.writeFloat32(new ByteArrayOutputStream(), new float[5], 2, 3));
    }
}
