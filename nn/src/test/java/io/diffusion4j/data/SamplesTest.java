package io.diffusion4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Data sets of any per-sample shape, and the 2-D toys. */
class SamplesTest {
    @Test
    void floatSamplesGatherRowsAsStored() {
        try (NDManager m = NDManager.newBaseManager();
             Samples s = Samples.ofFloats(m, new float[] {0, 1, 10, 11, 20, 21}, new Shape(3, 2), null, 0)) {
            assertEquals(3, s.size());
            assertEquals(new Shape(2), s.sampleShape());
            assertEquals(0, s.numClasses());
            assertArrayEquals(new float[] {20, 21, 0, 1, 20, 21}, s.batch(m, new long[] {2, 0, 2}).toFloatArray());
            assertNull(s.labels(m, new long[] {0}));
        }
    }

    @Test
    void pixelSamplesScaleToMinusOneOne() {
        try (NDManager m = NDManager.newBaseManager();
             Samples s = Samples.ofPixels(m, new byte[] {0, (byte) 255, (byte) 128, 1}, new Shape(2, 1, 1, 2), new long[] {1, 0}, 2)) {
            NDArray x = s.batch(m, new long[] {1, 0});
            assertEquals(new Shape(2, 1, 1, 2), x.getShape());
            assertArrayEquals(new float[] {128 / 127.5f - 1, 1 / 127.5f - 1, -1, 1}, x.toFloatArray(), 1e-6f);
            assertArrayEquals(new long[] {0, 1}, s.labels(m, new long[] {1, 0}).toLongArray());
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Samples.ofFloats(m, new float[] {1, 2, 3}, new Shape(2, 2), null, 0));
            assertTrue(e.getMessage().contains("3 values"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Samples.ofFloats(m, new float[] {1, Float.NaN}, new Shape(1, 2), null, 0));
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Samples.ofFloats(m, new float[] {1, 2}, new Shape(2, 1), new long[] {0, 3}, 3));
            assertTrue(e.getMessage().contains("label 3 of sample 1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Samples.ofFloats(m, new float[] {1, 2}, new Shape(2, 1), new long[] {0}, 3));
            assertTrue(e.getMessage().contains("1 labels for 2 samples"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Samples.ofFloats(m, new float[] {1, 2}, new Shape(2, 1), null, 4));
            assertTrue(e.getMessage().contains("numClasses must be 0"), e.getMessage());
        }
    }

    /** Each toy: deterministic per (seed, i), the first n points of a bigger draw, and its own geometry. */
    @Test
    void toysAreDeterministicAndShapedAsDocumented() {
        for (Toy2d toy : Toy2d.values()) {
            double[][] a = toy.points(500, 4);
            assertArrayEquals(a[17], toy.points(20, 4)[17], toy + " prefix");
            assertTrue(!java.util.Arrays.equals(a[17], toy.points(20, 5)[17]), toy + " seed");
            assertEquals(toy, Toy2d.fromName(toy.cliName()));
            for (int i = 0; i < a.length; i++) {
                double x = a[i][0];
                double y = a[i][1];
                assertTrue(Math.abs(x) < 3.5 && Math.abs(y) < 3.5, toy + " point " + i + " at " + x + ", " + y);
                switch (toy) {
                    case EIGHT_GAUSSIANS -> {
                        double angle = 2 * Math.PI * toy.label(4, i) / 8;
                        assertTrue(Math.hypot(x - 2 * Math.cos(angle), y - 2 * Math.sin(angle)) < 0.6, "mode of point " + i);
                    }
                    case CHECKERBOARD -> assertEquals(0, Math.floorMod((int) Math.floor(x) + (int) Math.floor(y), 2), "dark square");
                    case SWISS_ROLL -> assertTrue(Math.hypot(x, y) > 0.6 && Math.hypot(x, y) < 3.2, "spiral radius");
                    case MOONS -> assertTrue(toy.label(4, i) == 0 || toy.label(4, i) == 1);
                }
            }
        }
        Set<Integer> modes = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            modes.add(Toy2d.EIGHT_GAUSSIANS.label(1, i));
        }
        assertEquals(8, modes.size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Toy2d.fromName("spiral"));
        assertTrue(e.getMessage().contains("moons, 8gaussians, checkerboard, swissroll"), e.getMessage());
    }

    @Test
    void toySamplesAreOneTensorWithOptionalLabels() {
        try (NDManager m = NDManager.newBaseManager();
             Samples labelled = Toy2d.MOONS.samples(m, 64, 3, true);
             Samples plain = Toy2d.CHECKERBOARD.samples(m, 64, 3, false)) {
            assertEquals(new Shape(2), labelled.sampleShape());
            assertEquals(2, labelled.numClasses());
            double[] p = Toy2d.MOONS.point(3, 10);
            assertArrayEquals(new float[] {(float) p[0], (float) p[1]}, labelled.batch(m, new long[] {10}).toFloatArray());
            assertEquals(Toy2d.MOONS.label(3, 10), labelled.labels(m, new long[] {10}).getLong(0));
            assertEquals(0, plain.numClasses());
            assertThrows(IllegalArgumentException.class, () -> Toy2d.SWISS_ROLL.samples(m, 4, 1, true));
        }
    }
}
