package io.diffusion4j.eval;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.util.Check;

import java.util.SplittableRandom;

/**
 * Negative log-likelihood in bits per dimension from the discrete DDPM variational bound (Ho et al.
 * 2020, eq. 5; Nichol &amp; Dhariwal 2021, §2): L = L_prior + Σ_t L_t + L_decoder, for 8-bit data scaled
 * to [−1, 1]. In diffusers' indexing x_t exists for t = 0 … T−1 and the data is "x_{−1}":
 * <ul>
 *   <li>prior: KL(q(x_{T−1} | x₀) ‖ N(0, I));</li>
 *   <li>t = 1 … T−1: KL(q(x_{t−1} | x_t, x₀) ‖ p(x_{t−1} | x_t)), p with the posterior mean at x̂₀ and the
 *       reverse variance β̃_t ({@code FIXED_SMALL}) or β_t ({@code FIXED_LARGE});</li>
 *   <li>decoder: −log p(x₀ | x_0) under a Gaussian discretised to the 256 bins of width 2/255 (the
 *       outer bins extend to ±∞), mean x̂₀ at t = 0 and variance β̃_1 (small) or β_0 (large).</li>
 * </ul>
 * The sum over t is estimated from {@code tSamples} uniform draws of t (one per draw for the whole
 * batch, so each draw is one network call), scaled by (T−1)/tSamples: unbiased, with variance falling as
 * tSamples grows; tSamples = T−1 evaluates every t once, exactly. The KL sums run in float64 on the host
 * from the denoiser's float32 estimates.
 */
public final class VariationalBound {
    private static final double BIN = 1.0 / 255.0;
    private final DiscreteVp schedule;
    private final Denoiser denoiser;
    private final boolean smallVariance;

    /**
     * @param schedule the process the model was trained on
     * @param denoiser the model (ε-, x₀- or v-prediction, adapted by {@link io.diffusion4j.model.NetworkDenoiser})
     * @param smallVariance reverse variance β̃_t (true) or β_t (false)
     */
    public VariationalBound(DiscreteVp schedule, Denoiser denoiser, boolean smallVariance) {
        this.schedule = Check.notNull(schedule, "schedule");
        this.denoiser = Check.notNull(denoiser, "denoiser");
        this.smallVariance = smallVariance;
    }

    /** Bound terms of one batch, in nats summed over each image's dimensions. */
    public record Terms(double[] prior, double[] diffusion, double[] decoder, int dims) {
        /** Bits per dimension of image i. */
        public double bitsPerDim(int i) {
            return (prior[i] + diffusion[i] + decoder[i]) / (dims * Math.log(2));
        }

        /** Mean bits per dimension over the batch. */
        public double meanBitsPerDim() {
            double s = 0;
            for (int i = 0; i < prior.length; i++) {
                s += bitsPerDim(i) / prior.length;
            }
            return s;
        }
    }

    /**
     * The bound for a batch of clean images x₀ in [−1, 1] (values on the 8-bit grid).
     *
     * @param x0 images (N, …)
     * @param cond their conditioning (labels or none)
     * @param tSamples draws of t (1 … T−1); T−1 evaluates every t once
     * @param noise noise source of the forward samples (image ids 0 … N−1 of the batch)
     * @param seed seed of the t draws
     */
    public Terms evaluate(NDArray x0, Conditioning cond, int tSamples, NoiseSource noise, long seed) {
        int big = schedule.trainSteps();
        Check.inRange(tSamples, 1, big - 1, "tSamples");
        int n = (int) x0.getShape().get(0);
        int dims = (int) (x0.size() / n);
        float[] data = x0.toFloatArray();
        double[] prior = new double[n];
        double[] diffusion = new double[n];
        double[] decoder = new double[n];
        double abT = schedule.alphaBar(big - 1);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dims; j++) {
                double m = Math.sqrt(abT) * data[i * dims + j];
                prior[i] += gaussianKl(m, 1 - abT, 0, 1);
            }
        }
        SplittableRandom rng = new SplittableRandom(seed);
        boolean exhaustive = tSamples == big - 1;
        for (int k = 0; k < tSamples; k++) {
            // one t per draw for the whole batch (one network call); still uniform for each image
            int t = exhaustive ? k + 1 : 1 + rng.nextInt(big - 1);
            float[] xt = forward(data, n, dims, t, noise, k);
            float[] x0hat = denoise(x0, xt, t, cond);
            double[] c = schedule.posteriorMeanCoefficients(t);
            double qVar = schedule.posteriorVariance(t);
            double pVar = smallVariance ? qVar : schedule.beta(t);
            for (int i = 0; i < n; i++) {
                double kl = 0;
                for (int j = i * dims; j < (i + 1) * dims; j++) {
                    kl += gaussianKl(c[0] * data[j] + c[1] * xt[j], qVar, c[0] * x0hat[j] + c[1] * xt[j], pVar);
                }
                diffusion[i] += (big - 1.0) / tSamples * kl;
            }
        }
        float[] x1 = forward(data, n, dims, 0, noise, tSamples);
        float[] x0hat = denoise(x0, x1, 0, cond);
        double std = Math.sqrt(smallVariance ? schedule.posteriorVariance(1) : schedule.beta(0));
        for (int i = 0; i < n; i++) {
            for (int j = i * dims; j < (i + 1) * dims; j++) {
                decoder[i] -= discretizedGaussianLogLikelihood(data[j], x0hat[j], std);
            }
        }
        return new Terms(prior, diffusion, decoder, dims);
    }

    /** x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε for the whole batch, ε of (image i, draw). */
    private float[] forward(float[] data, int n, int dims, int t, NoiseSource noise, int draw) {
        float[] eps = new float[n * dims];
        for (int i = 0; i < n; i++) {
            noise.fill(eps, i * dims, dims, i, draw);
        }
        double a = schedule.alpha(t);
        double s = schedule.sigma(t);
        float[] xt = new float[n * dims];
        for (int j = 0; j < xt.length; j++) {
            xt[j] = (float) (a * data[j] + s * eps[j]);
        }
        return xt;
    }

    /** The denoiser's x̂₀ for the batch x_t at integer timestep t. */
    private float[] denoise(NDArray like, float[] xt, int t, Conditioning cond) {
        try (NDArray x = like.getManager().create(xt, like.getShape())) {
            return denoiser.denoise(x, schedule.level(t), cond).x0().toFloatArray();
        }
    }

    /** KL(N(m1, v1) ‖ N(m2, v2)) for one dimension. */
    static double gaussianKl(double m1, double v1, double m2, double v2) {
        return 0.5 * (Math.log(v2 / v1) + v1 / v2 + (m1 - m2) * (m1 - m2) / v2 - 1);
    }

    /**
     * log P(bin of x) under N(mean, std²): the bin is [x − 1/255, x + 1/255], the lowest bin (x = −1)
     * extends to −∞ and the highest (x = 1) to +∞ (Ho et al. 2020, eq. 13).
     */
    static double discretizedGaussianLogLikelihood(double x, double mean, double std) {
        double upper = x >= 1 - 1e-6 ? 1.0 : normalCdf((x + BIN - mean) / std);
        double lower = x <= -1 + 1e-6 ? 0.0 : normalCdf((x - BIN - mean) / std);
        return Math.log(Math.max(upper - lower, 1e-300));
    }

    /** Φ(z) via erfc, accurate in the far tails. */
    static double normalCdf(double z) {
        return 0.5 * Erf.erfc(-z / Math.sqrt(2));
    }
}
