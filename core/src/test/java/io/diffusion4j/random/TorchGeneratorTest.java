package io.diffusion4j.random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TorchGenerator} against torch 1.13.1 (Debian {@code python3-torch}, CPU capability AVX2; the
 * AVX-512 capability gives the same bits for {@code randn}). Every golden below was printed by PyTorch
 * with {@code g = torch.manual_seed(seed)} and then the calls named, in that order, on the same {@code g}:
 * small values as {@code "%.9g"} (exact for float32), the 768-element draws as the CRC-32 of their
 * little-endian float32 bytes ({@code zlib.crc32(v.numpy().astype('<f4').tobytes())}) plus a few values.
 * During development 609,666 values (6 seeds, sizes 1 … 100,000) were also compared bit for bit.
 */
class TorchGeneratorTest {
    /** One seed's goldens: randn(1), randn(7), randn(16), randn(17), then randn(4, 3, 8, 8) twice. */
    private record Golden(long seed, float[] n1, float[] n7, float[] n16, float[] n17, long crcA, float[] headA, long crcB, float[] tailB) {}

    private static final Golden[] GOLDENS = {
        new Golden(0, new float[] {1.54099607f},
                new float[] {-0.293428898f, -2.17878938f, 0.568431258f, -1.08452237f, -1.39859545f, 0.403346837f, 0.838026345f},
                new float[] {-1.35265374f, -1.6959312f, 0.566650629f, 0.793508351f, 0.598839462f, -1.55509508f, -0.34136039f, 1.85300612f,
                    0.750189483f, -0.585497558f, -0.173396751f, 0.183477938f, 1.38936615f, 1.58633423f, 0.946298361f, -0.843676746f},
                new float[] {-0.613583088f, 0.872831225f, 1.05535746f, 0.17784372f, -0.230335474f, -0.391754389f, 0.543294728f,
                    -0.395157546f, 0.205525666f, 0.7440207f, 1.52097952f, 3.41050267f, -1.53118432f, -1.23413503f, 1.81972528f,
                    -0.551528692f, -1.32532597f},
                0x4c2566c6L, new float[] {0.919971406f, 1.11081612f, 1.28987408f},
                0xde7bad79L, new float[] {-1.63123882f, 1.30013084f, 0.842290998f}),
        new Golden(42, new float[] {0.336690366f},
                new float[] {0.128809407f, 0.234462366f, 0.23033303f, -1.12285638f, -0.186328292f, 2.20820141f, -0.637997031f},
                new float[] {1.64231694f, -0.159597471f, -0.497397542f, 0.439589262f, -0.758131146f, 1.07831764f, 0.800800562f, 1.68062055f,
                    1.27912438f, 1.29642284f, 0.61046648f, 1.33473778f, -0.23162432f, 0.041759491f, -0.251575291f, 0.859858513f},
                new float[] {-1.38467371f, -0.658137262f, 0.0780238733f, 0.525808752f, -0.48799172f, 1.19136906f, -0.81400764f,
                    -0.735992789f, -0.837124646f, 0.0360036679f, -0.0634772703f, 0.675614893f, -0.0978068933f, 1.844594f, -1.18453741f,
                    1.38354933f, -1.20244563f},
                0x370ea328L, new float[] {0.85641253f, 2.21807575f, 0.523165524f},
                0xa77b448fL, new float[] {0.660265148f, -1.10783792f, 0.456889421f}),
        new Golden(1234, new float[] {0.0461304635f},
                new float[] {0.402402818f, -1.01152909f, 0.216738239f, -0.612273097f, 0.50361073f, 0.230966806f, 0.693077326f},
                new float[] {0.798832595f, -0.092287533f, -0.704919696f, -1.60236216f, 0.28909719f, 0.489870846f, -0.385274619f,
                    -0.712034583f, -0.170613497f, -1.45943868f, 0.220659077f, 0.246252075f, -1.32481194f, 0.696980536f, -0.66305387f,
                    1.21575689f},
                new float[] {-1.49487579f, -0.0468605608f, -1.52699232f, -2.01425457f, -1.51726604f, 0.387742668f, -1.18485546f,
                    0.689673901f, -0.283332437f, 1.81693697f, 0.680765092f, 0.724366009f, 0.0323106982f, -1.65927684f, -1.87732923f,
                    0.737245977f, 0.391019821f},
                0x78db8a89L, new float[] {0.924696088f, 0.182535648f, -0.0736977607f},
                0x538cdd08L, new float[] {0.418228984f, 0.197226971f, -0.742697835f}),
    };

    private static long crc(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        CRC32 c = new CRC32();
        c.update(b.array());
        return c.getValue();
    }

    private static float[] slice(float[] v, int from, int to) {
        return java.util.Arrays.copyOfRange(v, from, to);
    }

    /** Sizes below 16 (double Box–Muller, cached second value), 16 (one block) and 17 (the re-drawn tail), then two 768-draws. */
    @Test
    void randnMatchesTorchBitForBitAcrossSizesAndConsecutiveCalls() {
        for (Golden g : GOLDENS) {
            TorchGenerator gen = new TorchGenerator(g.seed());
            String at = "seed " + g.seed();
            assertArrayEquals(g.n1(), gen.randn(1), at + " randn(1)");
            assertArrayEquals(g.n7(), gen.randn(7), at + " randn(7)");
            assertArrayEquals(g.n16(), gen.randn(16), at + " randn(16)");
            assertArrayEquals(g.n17(), gen.randn(17), at + " randn(17)");
            float[] a = gen.randn(4, 3, 8, 8);
            assertEquals(g.crcA(), crc(a), at + " first randn(4, 3, 8, 8)");
            assertArrayEquals(g.headA(), slice(a, 0, 3), at + " first randn(4, 3, 8, 8) head");
            float[] b = gen.randn(4, 3, 8, 8);
            assertEquals(g.crcB(), crc(b), at + " second randn(4, 3, 8, 8)");
            assertArrayEquals(g.tailB(), slice(b, 765, 768), at + " second randn(4, 3, 8, 8) tail");
        }
    }

    /** The cached sin-value of a small draw outlives a vectorised draw and a uniform draw, as in PyTorch; manual_seed clears it. */
    @Test
    void theCachedNormalSurvivesOtherDrawsUntilReseeded() {
        TorchGenerator g = new TorchGenerator(7);
        assertArrayEquals(new float[] {-0.146795094f, 0.786141276f, 0.94682163f}, g.randn(3));
        assertEquals(0xc0502681L, crc(g.randn(768)));
        assertArrayEquals(new float[] {-1.114344f, -0.970639467f}, g.randn(2));
        assertArrayEquals(new float[] {0.252228796f, 0.828860521f}, g.rand(2));
        assertArrayEquals(new float[] {1.44497657f}, g.randn(1));
        g.manualSeed(0);
        assertEquals(0, g.initialSeed());
        assertArrayEquals(new float[] {1.54099607f}, g.randn(1), "no stale cache after manual_seed");
    }

    @Test
    void randMatchesTorch() {
        TorchGenerator g = new TorchGenerator(0);
        assertArrayEquals(new float[] {0.49625659f, 0.768221796f, 0.0884774327f, 0.132030487f, 0.307422817f}, g.rand(5));
        float[] v = g.rand(20);
        assertEquals(0x4f3a8ed7L, crc(v));
        assertArrayEquals(new float[] {0.634078681f, 0.49009341f, 0.896444738f}, slice(v, 0, 3));
    }

    /** diffusers' {@code randn_tensor(shape, generator)} on CPU: the same values, shaped. */
    @Test
    void ndArraysCarryTheSameValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = new TorchGenerator(0).randn(m, new Shape(4, 3, 8, 8));
            assertEquals(new Shape(4, 3, 8, 8), a.getShape());
            assertArrayEquals(new TorchGenerator(0).randn(4, 3, 8, 8), a.toFloatArray());
            NDArray u = new TorchGenerator(0).rand(m, new Shape(5));
            assertEquals(0.49625659f, u.toFloatArray()[0]);
        }
    }

    /** The Cephes polynomials stay within a few float ulps of the true functions over the kernel's ranges. */
    @Test
    void avxMathIsAccurate() {
        for (int k = 1; k < 100_000; k++) {
            float u = k / 100_000f;
            float log = AvxMath.log(u);
            assertTrue(Math.abs(log - Math.log(u)) <= 4 * Math.ulp((float) Math.log(u)) + 1e-7, "log " + u);
            float theta = (float) (2 * Math.PI) * u;
            float[] sc = AvxMath.sincos(theta);
            assertEquals(Math.sin(theta), sc[0], 3e-7, "sin " + theta);
            assertEquals(Math.cos(theta), sc[1], 3e-7, "cos " + theta);
        }
    }

    @Test
    void badShapesSayWhatIsAllowed() {
        TorchGenerator g = new TorchGenerator(0);
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class, () -> g.randn(2, -1));
        assertTrue(neg.getMessage().contains(">= 0"), neg.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.rand(1L << 20, 1L << 20));
        assertEquals(0, g.randn(0).length);
        assertEquals(1, g.randn().length, "a scalar");
    }
}
