package io.diffusion4j.nn;

import io.diffusion4j.util.Check;

/**
 * Shape of an {@link MlpDenoiser}.
 *
 * <p>Sinusoidal features of each input coordinate (Fourier features, Tancik et al. 2020) let a small MLP
 * represent the sharp structure of 2-D toys that raw coordinates alone make slow to fit; the raw
 * coordinates are fed too, so the near-identity map an ε- or velocity-predictor needs at high noise stays
 * easy. {@code inputScale} multiplies the coordinates before their features: larger values resolve finer
 * structure but extrapolate worse off the data (at 25, the value of some tiny 2-D demos, a few sampling
 * trajectories of an ε-predictor escaped to |x| ≈ 200 in our runs; 5 did well). {@code timeScale} brings t
 * to a range where its features vary: 1 for discrete schedules (t = 0 … T−1), about 1000 for rectified flow
 * (t ∈ [0, 1]; diffusers' flow pipelines likewise feed σ·1000).
 *
 * @param dim D, features per sample (2 for 2-D toys)
 * @param width hidden width
 * @param depth residual hidden blocks (Dense + SiLU), ≥ 0
 * @param embeddingDim sinusoidal features per input coordinate and for t (even); also the class-embedding width
 * @param inputScale factor applied to x before its sinusoidal features (&gt; 0)
 * @param timeScale factor applied to t before its sinusoidal features (&gt; 0)
 * @param numClasses K, or 0 for an unconditional network (row K of the class table is the null label)
 */
public record MlpConfig(int dim, int width, int depth, int embeddingDim, double inputScale, double timeScale, int numClasses) {
    public MlpConfig {
        Check.positive(dim, "dim");
        Check.positive(width, "width");
        Check.nonNegative(depth, "depth");
        Check.positive(embeddingDim, "embeddingDim");
        if (embeddingDim % 2 != 0) {
            throw new IllegalArgumentException("embeddingDim must be even, got " + embeddingDim);
        }
        Check.positive(inputScale, "inputScale");
        Check.positive(timeScale, "timeScale");
        Check.nonNegative(numClasses, "numClasses");
    }

    /**
     * A network for 2-D toys: width 128, 3 blocks, 32 features per coordinate, x scaled by 5 before its
     * features, unconditional.
     *
     * @param timeScale 1 for discrete schedules, 1000 for rectified flow
     */
    public static MlpConfig toy(double timeScale) {
        return new MlpConfig(2, 128, 3, 32, 5.0, timeScale, 0);
    }

    /** Whether labels condition the network. */
    public boolean conditional() {
        return numClasses > 0;
    }

    /** Width of the concatenated features fed to the first layer: D raw values, (D + 1)·E sinusoidal, plus E for the class embedding. */
    public int featureWidth() {
        return dim + (dim + 1 + (conditional() ? 1 : 0)) * embeddingDim;
    }

    /** The same network with another width and depth. */
    public MlpConfig withSize(int w, int d) {
        return new MlpConfig(dim, w, d, embeddingDim, inputScale, timeScale, numClasses);
    }

    /** The same network with K classes (0 = unconditional). */
    public MlpConfig withClasses(int k) {
        return new MlpConfig(dim, width, depth, embeddingDim, inputScale, timeScale, k);
    }
}
