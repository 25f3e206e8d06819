package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;

/**
 * Σ wⱼ·aⱼ with the weights in double on the host: the shape every exponential-integrator update here
 * reduces to once its coefficients are folded (UniPC, DEIS, singlestep DPM-Solver). A zero weight
 * costs nothing.
 */
final class Weighted {
    private Weighted() {}

    /** Σ w[j]·a[j]; a[0] must have a non-zero weight or be the only array (it fixes the manager). */
    static NDArray sum(double[] w, NDArray... a) {
        if (w.length != a.length) {
            throw new IllegalArgumentException(w.length + " weights for " + a.length + " arrays");
        }
        NDArray out = w[0] == 1.0 ? a[0] : a[0].mul(w[0]);
        for (int j = 1; j < a.length; j++) {
            if (w[j] != 0.0) {
                out = out.add(a[j].mul(w[j]));
            }
        }
        return out;
    }

    /**
     * The solution of the n×n system M·y = v by Gaussian elimination with partial pivoting (n ≤ 3 here:
     * UniPC's order conditions). Throws for a singular matrix, which only repeated levels can produce.
     */
    static double[] solve(double[][] m, double[] v) {
        int n = v.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = java.util.Arrays.copyOf(m[i], n + 1);
            a[i][n] = v[i];
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[p][c])) {
                    p = r;
                }
            }
            if (a[p][c] == 0.0) {
                throw new ArithmeticException("singular order-condition matrix (two history entries at one noise level)");
            }
            double[] tmp = a[c];
            a[c] = a[p];
            a[p] = tmp;
            for (int r = c + 1; r < n; r++) {
                double f = a[r][c] / a[c][c];
                for (int k = c; k <= n; k++) {
                    a[r][k] -= f * a[c][k];
                }
            }
        }
        double[] y = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = a[r][n];
            for (int k = r + 1; k < n; k++) {
                s -= a[r][k] * y[k];
            }
            y[r] = s / a[r][r];
        }
        return y;
    }
}
