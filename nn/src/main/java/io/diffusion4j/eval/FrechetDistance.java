package io.diffusion4j.eval;

/**
 * The Fréchet (2-Wasserstein) distance between two Gaussians (Dowson &amp; Landau 1982; Heusel et al.
 * 2017's FID on other features): ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2·tr √(√Σ₁·Σ₂·√Σ₁). The matrix square
 * roots go through symmetric eigen-decompositions, with round-off negative eigenvalues clamped to 0,
 * so the result is real and symmetric in its arguments up to round-off.
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    /** FD between two fitted feature distributions. */
    public static double between(Gaussian a, Gaussian b) {
        if (a.dim() != b.dim()) {
            throw new IllegalArgumentException("feature dimensions differ: " + a.dim() + " vs " + b.dim());
        }
        int d = a.dim();
        double meanTerm = 0;
        double traces = 0;
        for (int i = 0; i < d; i++) {
            double diff = a.mean()[i] - b.mean()[i];
            meanTerm += diff * diff;
            traces += a.covariance()[i][i] + b.covariance()[i][i];
        }
        double[][] rootA = SymmetricEigen.of(a.covariance()).apply(l -> Math.sqrt(Math.max(l, 0)));
        double[][] inner = multiply(multiply(rootA, b.covariance()), rootA);
        symmetrize(inner);
        double crossTrace = 0;
        for (double l : SymmetricEigen.of(inner).values()) {
            crossTrace += Math.sqrt(Math.max(l, 0));
        }
        return meanTerm + traces - 2 * crossTrace;
    }

    /** FD between two feature sets (rows are samples). */
    public static double between(double[][] x, double[][] y) {
        return between(Gaussian.fit(x), Gaussian.fit(y));
    }

    static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        int m = b[0].length;
        int k = b.length;
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < k; p++) {
                double aip = a[i][p];
                if (aip == 0) {
                    continue;
                }
                double[] bp = b[p];
                double[] oi = out[i];
                for (int j = 0; j < m; j++) {
                    oi[j] += aip * bp[j];
                }
            }
        }
        return out;
    }

    private static void symmetrize(double[][] m) {
        for (int i = 0; i < m.length; i++) {
            for (int j = i + 1; j < m.length; j++) {
                double v = 0.5 * (m[i][j] + m[j][i]);
                m[i][j] = v;
                m[j][i] = v;
            }
        }
    }
}
