package io.diffusion4j.data;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.nn.SeedMix;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.util.Check;

/**
 * Two-dimensional toy distributions, the classic test beds of generative models (8 gaussians and the
 * checkerboard as in Grathwohl et al. 2019, FFJORD; moons and the swiss roll after scikit-learn's data
 * sets). All are scaled to lie roughly in [−2, 2]², comparable to unit-variance data.
 *
 * <p>Point i of a draw with seed s is a pure function of (s, i): its uniforms come from the counter stream
 * {@link SeedMix#uniform}(derive(s, i), k) and its normals from {@link NoiseSource}(s) image i, so the first
 * n points of a larger draw are the n points of a smaller one.
 */
public enum Toy2d {
    /** Two interleaved half circles (unit radius, centred and scaled by 1.5), N(0, 0.1²) noise; labels 0/1 by moon. */
    MOONS("moons", 2),
    /** Eight N(μ_k, 0.1²) modes at μ_k = 2·(cos 2πk/8, sin 2πk/8); label k. */
    EIGHT_GAUSSIANS("8gaussians", 8),
    /** Uniform on the dark squares of a 4×4 board over [−2, 2]² (squares with ⌊x⌋ + ⌊y⌋ even); unlabelled. */
    CHECKERBOARD("checkerboard", 0),
    /** A spiral (θ cos θ, θ sin θ)/5 for θ uniform in [1.5π, 4.5π], N(0, 0.05²) noise; unlabelled. */
    SWISS_ROLL("swissroll", 0);

    private static final double MODE_STD = 0.1;
    private final String cliName;
    private final int numClasses;

    Toy2d(String cliName, int numClasses) {
        this.cliName = cliName;
        this.numClasses = numClasses;
    }

    /** The name on the command line ({@code moons}, {@code 8gaussians}, {@code checkerboard}, {@code swissroll}). */
    public String cliName() {
        return cliName;
    }

    /** Number of natural classes (0 when the distribution has none). */
    public int numClasses() {
        return numClasses;
    }

    /** The distribution called {@code name} (its CLI name or enum name, any case); the error lists every name. */
    public static Toy2d fromName(String name) {
        for (Toy2d t : values()) {
            if (t.cliName.equalsIgnoreCase(name) || t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        StringBuilder names = new StringBuilder();
        for (Toy2d t : values()) {
            names.append(names.length() == 0 ? "" : ", ").append(t.cliName);
        }
        throw new IllegalArgumentException("unknown 2-D toy '" + name + "'; choose one of " + names);
    }

    /** Points 0 … n−1 of the draw with {@code seed}, as n rows (x, y). */
    public double[][] points(int n, long seed) {
        Check.positive(n, "number of points");
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = point(seed, i);
        }
        return out;
    }

    /** The label of point i of the draw with {@code seed}, in [0, numClasses); 0 for unlabelled toys. */
    public int label(long seed, long i) {
        return switch (this) {
            case MOONS -> SeedMix.uniform(SeedMix.derive(seed, i), 0) < 0.5 ? 0 : 1;
            case EIGHT_GAUSSIANS -> SeedMix.uniformInt(SeedMix.derive(seed, i), 0, 8);
            default -> 0;
        };
    }

    /** Point i of the draw with {@code seed}. */
    public double[] point(long seed, long i) {
        long u = SeedMix.derive(seed, i);
        float[] z = new float[2];
        new NoiseSource(seed).fill(z, 0, 2, i, 0);
        return switch (this) {
            case MOONS -> {
                double theta = Math.PI * SeedMix.uniform(u, 1);
                boolean upper = label(seed, i) == 0;
                double x = upper ? Math.cos(theta) : 1 - Math.cos(theta);
                double y = upper ? Math.sin(theta) : 0.5 - Math.sin(theta);
                yield new double[] {1.5 * (x - 0.5) + 0.1 * z[0], 1.5 * (y - 0.25) + 0.1 * z[1]};
            }
            case EIGHT_GAUSSIANS -> {
                double angle = 2 * Math.PI * label(seed, i) / 8;
                yield new double[] {2 * Math.cos(angle) + MODE_STD * z[0], 2 * Math.sin(angle) + MODE_STD * z[1]};
            }
            case CHECKERBOARD -> {
                int square = SeedMix.uniformInt(u, 1, 8);   // one of the 8 dark squares
                int row = square / 2;
                int col = 2 * (square % 2) + row % 2;
                yield new double[] {col - 2 + SeedMix.uniform(u, 2), row - 2 + SeedMix.uniform(u, 3)};
            }
            case SWISS_ROLL -> {
                double theta = 1.5 * Math.PI * (1 + 2 * SeedMix.uniform(u, 1));
                yield new double[] {theta * Math.cos(theta) / 5 + 0.05 * z[0], theta * Math.sin(theta) / 5 + 0.05 * z[1]};
            }
        };
    }

    /**
     * n points of the draw with {@code seed} as a float32 (n, 2) {@link Samples}.
     *
     * @param labelled attach the labels (only for toys with classes; an unconditional objective refuses labels)
     */
    public Samples samples(NDManager manager, int n, long seed, boolean labelled) {
        if (labelled && numClasses == 0) {
            throw new IllegalArgumentException(cliName + " has no classes; load it unlabelled");
        }
        float[] xy = new float[2 * Check.positive(n, "number of points")];
        long[] labels = labelled ? new long[n] : null;
        for (int i = 0; i < n; i++) {
            double[] p = point(seed, i);
            xy[2 * i] = (float) p[0];
            xy[2 * i + 1] = (float) p[1];
            if (labels != null) {
                labels[i] = label(seed, i);
            }
        }
        return Samples.ofFloats(manager, xy, new Shape(n, 2), labels, labelled ? numClasses : 0);
    }
}
