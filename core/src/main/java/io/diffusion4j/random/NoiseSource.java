package io.diffusion4j.random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Seeded standard-normal noise that depends only on (seed, image, draw, element): never on thread
 * count, batch size or the order in which batches run (CONTRACT.md, "Per-image seeds").
 *
 * <p>Each value is generated on the host from a counter-based SplitMix64 hash (Steele, Lea &amp;
 * Flood 2014) and the Box–Muller transform, both fixed here in code and evaluated with {@link StrictMath}, so the bits are the same on
 * every JVM version and platform. Image {@code i} of a run with seed {@code s} starts from the same
 * noise whatever the batch it lands in. Instances are immutable and thread-safe.
 */
public final class NoiseSource {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private final long seed;

    /** A source for the given seed (any long). */
    public NoiseSource(long seed) {
        this.seed = seed;
    }

    /** The seed this source was made with. */
    public long seed() {
        return seed;
    }

    /**
     * Standard-normal noise of shape {@code (images.length, perImage...)}: row r holds the values
     * of image {@code images[r]} at draw {@code draw} (0 for the initial noise, 1 + k for step k, by
     * convention of the sampling loop).
     *
     * @param manager owner of the returned array
     * @param perImage shape of one image, e.g. (C, H, W)
     * @param images global indices of the images in this batch
     * @param draw which draw for these images
     */
    public NDArray normal(NDManager manager, Shape perImage, long[] images, long draw) {
        int size = Math.toIntExact(perImage.size());
        float[] out = new float[images.length * size];
        for (int r = 0; r < images.length; r++) {
            fill(out, r * size, size, images[r], draw);
        }
        long[] dims = new long[perImage.dimension() + 1];
        dims[0] = images.length;
        System.arraycopy(perImage.getShape(), 0, dims, 1, perImage.dimension());
        return manager.create(out, new Shape(dims));
    }

    /** Convenience: images {@code first, first+1, …, first+count-1}. */
    public NDArray normal(NDManager manager, Shape perImage, long first, int count, long draw) {
        return normal(manager, perImage, range(first, count), draw);
    }

    /** Indices {@code first … first+count-1}. */
    public static long[] range(long first, int count) {
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            ids[i] = first + i;
        }
        return ids;
    }

    /** Fills {@code out[offset, offset+n)} with the normals of (image, draw). */
    public void fill(float[] out, int offset, int n, long image, long draw) {
        long stream = mix(mix(seed ^ 0x5DEECE66DL) + image * GOLDEN + mix(draw + 0x632BE59BD9B4E019L));
        for (int k = 0; k < n; k += 2) {
            // Box–Muller on two uniforms from the counter stream (2k, 2k+1).
            double u1 = toUnitOpen(mix(stream + (2L * k + 1) * GOLDEN));
            double u2 = toUnitOpen(mix(stream + (2L * k + 2) * GOLDEN));
            double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
            double theta = 2.0 * Math.PI * u2;
            out[offset + k] = (float) (r * StrictMath.cos(theta));
            if (k + 1 < n) {
                out[offset + k + 1] = (float) (r * StrictMath.sin(theta));
            }
        }
    }

    /** SplitMix64's finaliser (Stafford variant 13). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A double in (0, 1]: never 0, so the logarithm of Box–Muller stays finite. */
    private static double toUnitOpen(long bits) {
        return ((bits >>> 11) + 1) * 0x1.0p-53;
    }
}
