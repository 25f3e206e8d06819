package io.diffusion4j.eval;

import io.diffusion4j.util.Check;

import java.util.Arrays;

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019): each set's manifold is the union of balls
 * around its points with radius the distance to the k-th nearest neighbour in the same set. Precision
 * is the share of generated points inside the real manifold, recall the share of real points inside
 * the generated one. Exact (brute-force) distances in float64.
 *
 * @param precision in [0, 1]
 * @param recall in [0, 1]
 * @param k the neighbourhood size
 */
public record PrecisionRecall(double precision, double recall, int k) {

    /** Precision and recall of {@code generated} against {@code real} with neighbourhood size k (3 in the paper). */
    public static PrecisionRecall of(double[][] real, double[][] generated, int k) {
        Check.positive(k, "k");
        if (real.length <= k || generated.length <= k) {
            throw new IllegalArgumentException("need more than k=" + k + " samples in each set, got " + real.length + " and " + generated.length);
        }
        double[] realRadii = kthNeighbourDistances(real, k);
        double[] genRadii = kthNeighbourDistances(generated, k);
        return new PrecisionRecall(coverage(generated, real, realRadii), coverage(real, generated, genRadii), k);
    }

    /** Share of {@code points} within radius[j] of some manifold point j. */
    private static double coverage(double[][] points, double[][] manifold, double[] radii) {
        int inside = 0;
        for (double[] p : points) {
            for (int j = 0; j < manifold.length; j++) {
                if (squaredDistance(p, manifold[j]) <= radii[j] * radii[j]) {
                    inside++;
                    break;
                }
            }
        }
        return (double) inside / points.length;
    }

    /** For each point, the distance to its k-th nearest other point of the same set. */
    static double[] kthNeighbourDistances(double[][] set, int k) {
        int n = set.length;
        double[] out = new double[n];
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                d[j] = squaredDistance(set[i], set[j]);
            }
            double[] sorted = d.clone();
            Arrays.sort(sorted);
            out[i] = Math.sqrt(sorted[k]);   // sorted[0] is the point itself (distance 0)
        }
        return out;
    }

    static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double t = a[i] - b[i];
            s += t * t;
        }
        return s;
    }
}
