package io.diffusion4j.eval;

import io.diffusion4j.util.Check;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Distances between two point clouds in low dimension (2-D toys): sliced Wasserstein-2 (Bonneel et
 * al. 2015) and RBF-kernel MMD² (Gretton et al. 2012).
 */
public final class TwoSampleMetrics {
    private TwoSampleMetrics() {}

    /**
     * Sliced W₂: the root mean over random unit directions of the squared 1-D Wasserstein-2 distance
     * between the projections (1-D W₂ compares sorted samples; unequal sizes compare quantiles).
     */
    public static double slicedWasserstein(double[][] x, double[][] y, int projections, long seed) {
        Check.positive(projections, "projections");
        int d = checkDims(x, y);
        SplittableRandom rng = new SplittableRandom(seed);
        double total = 0;
        double[] dir = new double[d];
        for (int p = 0; p < projections; p++) {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                dir[j] = gaussian(rng);
                norm += dir[j] * dir[j];
            }
            norm = Math.sqrt(norm);
            double[] px = project(x, dir, norm);
            double[] py = project(y, dir, norm);
            total += w2Squared1d(px, py);
        }
        return Math.sqrt(total / projections);
    }

    /** Unbiased MMD² with k(u, v) = exp(−‖u − v‖²/(2·bandwidth²)). */
    public static double rbfMmd2(double[][] x, double[][] y, double bandwidth) {
        Check.positive(bandwidth, "bandwidth");
        checkDims(x, y);
        double g = 1 / (2 * bandwidth * bandwidth);
        return within(x, g) + within(y, g) - 2 * across(x, y, g);
    }

    private static double within(double[][] a, double g) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                if (i != j) {
                    s += Math.exp(-g * PrecisionRecall.squaredDistance(a[i], a[j]));
                }
            }
        }
        return s / (a.length * (a.length - 1.0));
    }

    private static double across(double[][] a, double[][] b, double g) {
        double s = 0;
        for (double[] u : a) {
            for (double[] v : b) {
                s += Math.exp(-g * PrecisionRecall.squaredDistance(u, v));
            }
        }
        return s / ((double) a.length * b.length);
    }

    private static double w2Squared1d(double[] a, double[] b) {
        Arrays.sort(a);
        Arrays.sort(b);
        int n = Math.max(a.length, b.length);
        double s = 0;
        for (int i = 0; i < n; i++) {
            double q = (i + 0.5) / n;
            double diff = quantile(a, q) - quantile(b, q);
            s += diff * diff;
        }
        return s / n;
    }

    /** The empirical quantile of sorted values (the ⌊q·n⌋-th order statistic). */
    private static double quantile(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }

    private static double[] project(double[][] pts, double[] dir, double norm) {
        double[] out = new double[pts.length];
        for (int i = 0; i < pts.length; i++) {
            double s = 0;
            for (int j = 0; j < dir.length; j++) {
                s += pts[i][j] * dir[j];
            }
            out[i] = s / norm;
        }
        return out;
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static int checkDims(double[][] x, double[][] y) {
        if (x.length < 2 || y.length < 2) {
            throw new IllegalArgumentException("need at least 2 points in each set, got " + x.length + " and " + y.length);
        }
        if (x[0].length != y[0].length) {
            throw new IllegalArgumentException("point dimensions differ: " + x[0].length + " vs " + y[0].length);
        }
        return x[0].length;
    }
}
