package io.diffusion4j.eval;

/**
 * Mean and unbiased covariance of a feature set, in float64: what the Fréchet distance compares.
 *
 * @param mean μ, length d
 * @param covariance Σ = Σ_i (x_i − μ)(x_i − μ)ᵀ/(n − 1), d×d
 * @param count n
 */
public record Gaussian(double[] mean, double[][] covariance, int count) {
    public Gaussian {
        if (covariance.length != mean.length) {
            throw new IllegalArgumentException("covariance must be " + mean.length + "x" + mean.length + ", got " + covariance.length + " rows");
        }
    }

    /** The statistics of {@code features} (n rows of d values, n ≥ 2). */
    public static Gaussian fit(double[][] features) {
        int n = features.length;
        if (n < 2) {
            throw new IllegalArgumentException("need at least 2 feature vectors for a covariance, got " + n);
        }
        int d = features[0].length;
        double[] mu = new double[d];
        for (double[] f : features) {
            if (f.length != d) {
                throw new IllegalArgumentException("all feature vectors must have " + d + " values, got one with " + f.length);
            }
            for (int j = 0; j < d; j++) {
                mu[j] += f[j] / n;
            }
        }
        double[][] cov = new double[d][d];
        double[] c = new double[d];
        for (double[] f : features) {
            for (int j = 0; j < d; j++) {
                c[j] = f[j] - mu[j];
            }
            for (int i = 0; i < d; i++) {
                double ci = c[i];
                double[] row = cov[i];
                for (int j = i; j < d; j++) {
                    row[j] += ci * c[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                cov[i][j] /= n - 1;
                cov[j][i] = cov[i][j];
            }
        }
        return new Gaussian(mu, cov, n);
    }

    /** Dimension d. */
    public int dim() {
        return mean.length;
    }
}
