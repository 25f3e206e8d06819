package io.diffusion4j.eval;

import io.diffusion4j.util.Check;

import java.util.SplittableRandom;

/**
 * Kernel Inception Distance on our features (Bińkowski et al. 2018): the unbiased estimate of MMD²
 * with the cubic polynomial kernel k(x, y) = (xᵀy/d + 1)³, averaged over random subsets; the spread
 * over subsets is the reported standard deviation. Unlike FD it is unbiased, so two samples of one
 * distribution score ≈ 0 within that spread.
 *
 * @param mean mean of the subset estimates
 * @param std their standard deviation
 * @param subsets number of subsets
 * @param subsetSize size of each subset
 */
public record Kid(double mean, double std, int subsets, int subsetSize) {

    /**
     * KID of feature sets x and y (rows are samples of equal width).
     *
     * @param subsets number of random subsets (≥ 1)
     * @param subsetSize rows per subset; clamped to the smaller set's size
     * @param seed seed of the subset draws
     */
    public static Kid of(double[][] x, double[][] y, int subsets, int subsetSize, long seed) {
        Check.positive(subsets, "subsets");
        Check.positive(subsetSize, "subset size");
        int m = Math.min(subsetSize, Math.min(x.length, y.length));
        if (m < 2) {
            throw new IllegalArgumentException("KID needs at least 2 samples in each set, got " + x.length + " and " + y.length);
        }
        int d = x[0].length;
        if (y[0].length != d) {
            throw new IllegalArgumentException("feature dimensions differ: " + d + " vs " + y[0].length);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] est = new double[subsets];
        for (int s = 0; s < subsets; s++) {
            double[][] a = subset(x, m, rng);
            double[][] b = subset(y, m, rng);
            est[s] = unbiasedMmd2(a, b, d);
        }
        double mean = 0;
        for (double e : est) {
            mean += e / subsets;
        }
        double var = 0;
        for (double e : est) {
            var += (e - mean) * (e - mean) / subsets;
        }
        return new Kid(mean, Math.sqrt(var), subsets, m);
    }

    /** Unbiased MMD²: within-set sums exclude i = j (Gretton et al. 2012, eq. 3). */
    static double unbiasedMmd2(double[][] a, double[][] b, int d) {
        int m = a.length;
        double kxx = 0;
        double kyy = 0;
        double kxy = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j) {
                    kxx += kernel(a[i], a[j], d);
                    kyy += kernel(b[i], b[j], d);
                }
                kxy += kernel(a[i], b[j], d);
            }
        }
        return kxx / (m * (m - 1.0)) + kyy / (m * (m - 1.0)) - 2 * kxy / ((double) m * m);
    }

    private static double kernel(double[] u, double[] v, int d) {
        double dot = 0;
        for (int k = 0; k < d; k++) {
            dot += u[k] * v[k];
        }
        double base = dot / d + 1;
        return base * base * base;
    }

    /** m distinct rows, a partial Fisher–Yates shuffle. */
    private static double[][] subset(double[][] rows, int m, SplittableRandom rng) {
        int[] idx = new int[rows.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        double[][] out = new double[m][];
        for (int i = 0; i < m; i++) {
            int j = i + rng.nextInt(idx.length - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            out[i] = rows[idx[i]];
        }
        return out;
    }
}
