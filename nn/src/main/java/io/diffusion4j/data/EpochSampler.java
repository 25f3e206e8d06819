package io.diffusion4j.data;

import io.diffusion4j.nn.SeedMix;
import io.diffusion4j.util.Check;

/**
 * Batch indices that are a pure function of (seed, step): the data are visited in epochs, each a
 * Fisher–Yates permutation seeded by (seed, epoch), and step s takes positions s·B … s·B + B − 1 of
 * the endless concatenation of epochs. A resumed run therefore sees the same batches.
 */
public final class EpochSampler {
    private final long size;
    private final int batch;
    private final long seed;
    private long cachedEpoch = -1;
    private int[] permutation;

    /**
     * @param size data set size N ≥ 1
     * @param batch batch size B ≥ 1
     */
    public EpochSampler(long size, int batch, long seed) {
        if (size <= 0 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("data set size must be in [1, 2^31), got " + size);
        }
        this.size = size;
        this.batch = Check.positive(batch, "batch size");
        this.seed = seed;
    }

    /** The data indices of step {@code step}. */
    public long[] indices(long step) {
        long[] out = new long[batch];
        for (int r = 0; r < batch; r++) {
            long position = step * batch + r;
            out[r] = permutation(position / size)[(int) (position % size)];
        }
        return out;
    }

    private int[] permutation(long epoch) {
        if (epoch != cachedEpoch) {
            int n = (int) size;
            int[] p = new int[n];
            for (int i = 0; i < n; i++) {
                p[i] = i;
            }
            long s = SeedMix.derive(SeedMix.derive(seed, 0x5eed), epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = SeedMix.uniformInt(s, i, i + 1);
                int tmp = p[i];
                p[i] = p[j];
                p[j] = tmp;
            }
            permutation = p;
            cachedEpoch = epoch;
        }
        return permutation;
    }
}
