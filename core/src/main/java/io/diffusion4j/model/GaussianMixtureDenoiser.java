package io.diffusion4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.util.Check;

/**
 * The exact (Bayes-optimal) denoiser E[x₀ | x] for data from a mixture of isotropic Gaussians
 * Σ_k w_k·N(μ_k, s_k²·I) in D dimensions: the ideal network, in closed form.
 *
 * <p>For x = α·x₀ + σ·ε, component k gives x ~ N(α·μ_k, (α²s_k² + σ²)·I) and E[x₀ | x, k] = μ_k +
 * α·s_k²/(α²s_k² + σ²)·(x − α·μ_k); the posterior weights are the normalised component likelihoods.
 * Tests use it to check samplers against exact answers; demos use it to sample without training.
 * Computation is in float64 on the host, rows of x flattened to D values.
 */
public final class GaussianMixtureDenoiser implements Denoiser {
    private final double[][] means;
    private final double[] stds;
    private final double[] logWeights;

    /**
     * @param means component means μ_k, each of length D
     * @param stds component standard deviations s_k ≥ 0
     * @param weights mixture weights (normalised here), &gt; 0
     */
    public GaussianMixtureDenoiser(double[][] means, double[] stds, double[] weights) {
        if (means.length == 0 || stds.length != means.length || weights.length != means.length) {
            throw new IllegalArgumentException("need equal numbers (>= 1) of means, stds and weights, got "
                    + means.length + ", " + stds.length + ", " + weights.length);
        }
        double total = 0;
        for (int k = 0; k < means.length; k++) {
            Check.positive(weights[k], "weights[" + k + "]");
            Check.nonNegative(stds[k], "stds[" + k + "]");
            if (means[k].length != means[0].length) {
                throw new IllegalArgumentException("all means must have dimension " + means[0].length + ", mean " + k + " has " + means[k].length);
            }
            total += weights[k];
        }
        this.means = new double[means.length][];
        this.logWeights = new double[means.length];
        for (int k = 0; k < means.length; k++) {
            this.means[k] = means[k].clone();
            this.logWeights[k] = Math.log(weights[k] / total);
        }
        this.stds = stds.clone();
    }

    /** A single Gaussian N(mean, std²·I) in {@code dim} dimensions. */
    public static GaussianMixtureDenoiser gaussian(int dim, double mean, double std) {
        double[] m = new double[dim];
        java.util.Arrays.fill(m, mean);
        return new GaussianMixtureDenoiser(new double[][] {m}, new double[] {std}, new double[] {1});
    }

    /** Dimension D of one sample. */
    public int dim() {
        return means[0].length;
    }

    @Override
    public Estimate denoise(NDArray x, NoiseLevel level, Conditioning cond) {
        int d = dim();
        if (x.size() % d != 0 || x.getShape().size() / x.getShape().get(0) != d) {
            throw new IllegalArgumentException("each row of x must have " + d + " values, got shape " + x.getShape());
        }
        int n = (int) x.getShape().get(0);
        double a = level.alpha();
        double s = level.sigma();
        float[] xs = x.toFloatArray();
        float[] x0 = new float[xs.length];
        float[] eps = new float[xs.length];
        int kk = means.length;
        double[] logp = new double[kk];
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < kk; k++) {
                double var = a * a * stds[k] * stds[k] + s * s;
                double sq = 0;
                for (int j = 0; j < d; j++) {
                    double diff = xs[r * d + j] - a * means[k][j];
                    sq += diff * diff;
                }
                logp[k] = logWeights[k] - 0.5 * sq / var - 0.5 * d * Math.log(var);
                max = Math.max(max, logp[k]);
            }
            double z = 0;
            for (int k = 0; k < kk; k++) {
                logp[k] = Math.exp(logp[k] - max);
                z += logp[k];
            }
            for (int j = 0; j < d; j++) {
                double xj = xs[r * d + j];
                double m = 0;
                for (int k = 0; k < kk; k++) {
                    double var = a * a * stds[k] * stds[k] + s * s;
                    double gain = var == 0 ? 0 : a * stds[k] * stds[k] / var;
                    m += logp[k] / z * (means[k][j] + gain * (xj - a * means[k][j]));
                }
                x0[r * d + j] = (float) m;
                eps[r * d + j] = s == 0 ? 0f : (float) ((xj - a * m) / s);
            }
        }
        NDManager mgr = x.getManager();
        return new Estimate(mgr.create(x0, x.getShape()), mgr.create(eps, x.getShape()));
    }
}
