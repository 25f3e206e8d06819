package io.diffusion4j.random;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NoiseSourceTest {
    private static final int N = 200_000;

    /**
     * 200,000 values of one stream: mean within 4/√n, variance within 4·√(2/n), Kolmogorov–Smirnov
     * distance to Φ below 1.95/√n (the 0.1% critical value), and the mass beyond ±3 (0.27%) within 4 SE.
     */
    @Test
    void valuesAreStandardNormal() {
        float[] v = new float[N];
        new NoiseSource(12345).fill(v, 0, N, 3, 1);
        double mean = 0;
        for (float x : v) {
            mean += x / (double) N;
        }
        double var = 0;
        int tail = 0;
        for (float x : v) {
            var += (x - mean) * (x - mean) / (N - 1.0);
            tail += Math.abs(x) > 3 ? 1 : 0;
        }
        double[] sorted = new double[N];
        for (int i = 0; i < N; i++) {
            sorted[i] = v[i];
        }
        Arrays.sort(sorted);
        double ks = 0;
        for (int i = 0; i < N; i++) {
            double f = phi(sorted[i]);
            ks = Math.max(ks, Math.max((i + 1.0) / N - f, f - (double) i / N));
        }
        double pTail = 2 * phi(-3);
        System.out.printf("noise: mean %.5f var %.5f KS %.5f (critical %.5f) tail %.5f (%.5f)%n", mean, var, ks, 1.95 / Math.sqrt(N), (double) tail / N, pTail);
        assertEquals(0, mean, 4 / Math.sqrt(N));
        assertEquals(1, var, 4 * Math.sqrt(2.0 / N));
        assertTrue(ks < 1.95 / Math.sqrt(N), "KS distance " + ks);
        assertEquals(pTail, (double) tail / N, 4 * Math.sqrt(pTail / N));
    }

    /** Neighbouring images, draws and elements are uncorrelated (|r| &lt; 4/√n). */
    @Test
    void streamsAreUncorrelated() {
        NoiseSource s = new NoiseSource(5);
        float[] a = new float[N];
        float[] b = new float[N];
        float[] c = new float[N];
        s.fill(a, 0, N, 0, 1);
        s.fill(b, 0, N, 1, 1);
        s.fill(c, 0, N, 0, 2);
        float[] lag = Arrays.copyOfRange(a, 1, N);
        assertEquals(0, correlation(a, b, N), 4 / Math.sqrt(N), "image 0 vs image 1");
        assertEquals(0, correlation(a, c, N), 4 / Math.sqrt(N), "draw 1 vs draw 2");
        assertEquals(0, correlation(a, lag, N - 1), 4 / Math.sqrt(N), "element k vs k + 1");
    }

    /** An image's noise depends on (seed, image, draw) only: not on the batch, its order, or the instance. */
    @Test
    void valuesDependOnlyOnSeedImageAndDraw() {
        Shape shape = new Shape(3, 5);
        int size = 15;
        try (NDManager m = NDManager.newBaseManager()) {
            float[] batch = new NoiseSource(9).normal(m, shape, new long[] {5, 2, 40}, 7).toFloatArray();
            float[] alone = new NoiseSource(9).normal(m, shape, new long[] {2}, 7).toFloatArray();
            float[] direct = new float[size];
            new NoiseSource(9).fill(direct, 0, size, 40, 7);
            assertArrayEquals(alone, Arrays.copyOfRange(batch, size, 2 * size));
            assertArrayEquals(direct, Arrays.copyOfRange(batch, 2 * size, 3 * size));
            assertEquals(new Shape(3, 3, 5), new NoiseSource(9).normal(m, shape, new long[] {5, 2, 40}, 7).getShape());
            float[] otherSeed = new NoiseSource(10).normal(m, shape, new long[] {2}, 7).toFloatArray();
            float[] otherDraw = new NoiseSource(9).normal(m, shape, new long[] {2}, 8).toFloatArray();
            float[] otherImage = new NoiseSource(9).normal(m, shape, new long[] {3}, 7).toFloatArray();
            assertFalse(Arrays.equals(alone, otherSeed), "seed");
            assertFalse(Arrays.equals(alone, otherDraw), "draw");
            assertFalse(Arrays.equals(alone, otherImage), "image");
        }
        // A prefix of a longer fill is the shorter fill: element k depends on k, not on the image size.
        float[] longer = new float[11];
        float[] shorter = new float[6];
        new NoiseSource(1).fill(longer, 0, 11, 0, 0);
        new NoiseSource(1).fill(shorter, 0, 6, 0, 0);
        assertArrayEquals(shorter, Arrays.copyOf(longer, 6));
    }

    private static double correlation(float[] x, float[] y, int n) {
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double syy = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            sx += x[i];
            sy += y[i];
            sxx += (double) x[i] * x[i];
            syy += (double) y[i] * y[i];
            sxy += (double) x[i] * y[i];
        }
        double cov = sxy / n - sx / n * sy / n;
        return cov / Math.sqrt((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
    }

    /** Standard normal CDF from erfc (Numerical Recipes' Chebyshev fit, |error| &lt; 1.2e-7). */
    private static double phi(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        double t = 1 / (1 + 0.5 * z);
        double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628288 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
    }
}
