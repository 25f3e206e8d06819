package io.diffusion4j.nn;

import java.nio.charset.StandardCharsets;

/**
 * Counter-based random numbers for initialisation and training draws: every value is a pure
 * function of (seed, counter), so a run can be resumed at any step without saved generator state.
 * SplitMix64 finaliser (Steele, Lea &amp; Flood 2014).
 */
public final class SeedMix {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private SeedMix() {}

    /** SplitMix64's finaliser (Stafford variant 13). */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A seed derived from a parent seed and a counter (or a tag). */
    public static long derive(long seed, long counter) {
        return mix(mix(seed) + (counter + 1) * GOLDEN);
    }

    /** A seed derived from a parent seed and a name (e.g. a parameter key), stable across runs. */
    public static long derive(long seed, String name) {
        long h = 1125899906842597L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        return derive(seed, mix(h));
    }

    /** The i-th uniform double in [0, 1) of the stream {@code seed}. */
    public static double uniform(long seed, long i) {
        return (mix(seed + (i + 1) * GOLDEN) >>> 11) * 0x1.0p-53;
    }

    /** The i-th uniform integer in [0, n) of the stream {@code seed} (n ≤ 2³¹; bias below 2⁻²²). */
    public static int uniformInt(long seed, long i, int n) {
        return (int) Math.floor(uniform(seed, i) * n);
    }
}
