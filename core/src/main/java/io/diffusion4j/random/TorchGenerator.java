package io.diffusion4j.random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * PyTorch's CPU random generator, reproduced bit for bit: {@code torch.manual_seed(seed)} (or {@code
 * torch.Generator().manual_seed(seed)}) followed by {@code torch.randn(shape, generator=g)} and {@code
 * torch.rand(shape, generator=g)} in float32 give exactly the values of this object's {@link #randn} and
 * {@link #rand}, consecutive calls included. It exists so that diffusers' stochastic results, which draw
 * their noise from {@code torch.manual_seed(0)}, can be reproduced by our samplers; for our own sampling
 * use {@link NoiseSource}, whose values do not depend on the order of draws.
 *
 * <p>What PyTorch does (ATen {@code CPUGeneratorImpl}, {@code MT19937RNGEngine.h}, {@code
 * DistributionsHelper.h}, {@code native/cpu/DistributionTemplates.h}), and so what this class does:
 * <ul>
 *   <li>The engine is the 32-bit Mersenne Twister MT19937 (Matsumoto &amp; Nishimura 1998) seeded with the
 *       low 32 bits of the seed by the reference {@code init_genrand} recurrence. A 64-bit draw is two
 *       32-bit draws, the first one the high half.</li>
 *   <li>float32 uniform [0, 1): the low 24 bits of one 32-bit draw times 2⁻²⁴. double uniform: the low 53
 *       bits of a 64-bit draw times 2⁻⁵³.</li>
 *   <li>{@code randn} of fewer than 16 elements draws, element by element, a double normal by Box–Muller
 *       on two double uniforms u₁, u₂: r = √(−2 ln(1 − u₂)), θ = 2π·u₁, returns r·cos θ and keeps r·sin θ
 *       in the generator for the next such draw (the cache survives other calls and is cleared by
 *       {@link #manualSeed}); each value is rounded to float.</li>
 *   <li>{@code randn} of 16 or more elements fills the tensor with float uniforms, then transforms each
 *       block of 16, (u[j], u[j+8]) → (r·cos θ, r·sin θ) with r = √(−2 ln(1 − u[j])), θ = 2π·u[j+8]; when the
 *       count is not a multiple of 16 it draws 16 fresh uniforms into the last 16 places and transforms them
 *       again. This is the AVX2 kernel PyTorch runs on x86-64 CPUs with AVX2 (and AVX-512, which uses the
 *       AVX2 kernel for this operation): its float32 logarithm and sine/cosine are the Cephes polynomials of
 *       {@code avx_mathfun.h}, evaluated with fused multiply-adds where the compiler contracts them; {@link
 *       AvxMath} reproduces them. (PyTorch without AVX2 uses libm's float functions instead and can differ in
 *       the last bit of some values.)</li>
 * </ul>
 *
 * <p>Instances are mutable and not thread-safe, like a {@code torch.Generator}.
 */
public final class TorchGenerator {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    /** Below this many elements PyTorch draws double normals one by one; from it on, the vectorised fill. */
    static final int VECTOR_THRESHOLD = 16;

    private final int[] state = new int[N];
    private int left;
    private int next;
    private long seed;
    private boolean hasCachedNormal;
    private double cachedNormal;

    /** A generator after {@code manual_seed(seed)}. */
    public TorchGenerator(long seed) {
        manualSeed(seed);
    }

    /** {@code torch.manual_seed(seed)}: restarts the engine from {@code seed} and forgets any cached normal. */
    public TorchGenerator manualSeed(long seed) {
        this.seed = seed;
        state[0] = (int) seed;
        for (int j = 1; j < N; j++) {
            state[j] = 1812433253 * (state[j - 1] ^ (state[j - 1] >>> 30)) + j;
        }
        left = 1;
        next = 0;
        hasCachedNormal = false;
        return this;
    }

    /** {@code initial_seed()}: the seed last given to {@link #manualSeed}. */
    public long initialSeed() {
        return seed;
    }

    /** One 32-bit output of MT19937 (PyTorch's {@code random()}), as the unsigned value in a long. */
    public long nextUint32() {
        return Integer.toUnsignedLong(nextInt());
    }

    /** PyTorch's {@code random64()}: two 32-bit outputs, the first one the high half. */
    public long nextUint64() {
        long hi = Integer.toUnsignedLong(nextInt());
        long lo = Integer.toUnsignedLong(nextInt());
        return (hi << 32) | lo;
    }

    private int nextInt() {
        if (--left == 0) {
            twist();
        }
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        return y ^ (y >>> 18);
    }

    private void twist() {
        for (int k = 0; k < N; k++) {
            int mixed = (state[k] & 0x80000000) | (state[(k + 1) % N] & 0x7fffffff);
            state[k] = state[(k + M) % N] ^ (mixed >>> 1) ^ ((state[(k + 1) % N] & 1) != 0 ? MATRIX_A : 0);
        }
        left = N;
        next = 0;
    }

    /** A float uniform in [0, 1): 24 random bits. */
    private float uniformFloat() {
        return (nextInt() & 0xFFFFFF) * 0x1.0p-24f;
    }

    /** A double uniform in [0, 1): 53 random bits. */
    private double uniformDouble() {
        return (nextUint64() & ((1L << 53) - 1)) * 0x1.0p-53;
    }

    /** PyTorch's {@code normal_distribution<double>} with mean 0 and standard deviation 1, with its cache. */
    private double normalDouble() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = uniformDouble();
        double u2 = uniformDouble();
        double r = Math.sqrt(-2.0 * Math.log1p(-u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = r * Math.sin(theta);
        hasCachedNormal = true;
        return r * Math.cos(theta);
    }

    /**
     * {@code torch.randn(shape, generator=g)} in float32: the values in row-major order.
     *
     * @param shape the dimensions (none: a scalar, one value)
     * @throws IllegalArgumentException for a negative dimension or more than 2³¹ − 1 elements
     */
    public float[] randn(long... shape) {
        float[] out = new float[count(shape)];
        int n = out.length;
        if (n < VECTOR_THRESHOLD) {
            for (int i = 0; i < n; i++) {
                out[i] = (float) normalDouble();
            }
            return out;
        }
        for (int i = 0; i < n; i++) {
            out[i] = uniformFloat();
        }
        for (int i = 0; i + VECTOR_THRESHOLD <= n; i += VECTOR_THRESHOLD) {
            AvxMath.boxMuller16(out, i);
        }
        if (n % VECTOR_THRESHOLD != 0) {
            int tail = n - VECTOR_THRESHOLD;
            for (int i = 0; i < VECTOR_THRESHOLD; i++) {
                out[tail + i] = uniformFloat();
            }
            AvxMath.boxMuller16(out, tail);
        }
        return out;
    }

    /** {@code torch.rand(shape, generator=g)} in float32: uniforms in [0, 1), row-major. */
    public float[] rand(long... shape) {
        float[] out = new float[count(shape)];
        for (int i = 0; i < out.length; i++) {
            out[i] = uniformFloat();
        }
        return out;
    }

    /** {@link #randn(long...)} as a float32 array of {@code shape} on {@code manager} (diffusers' {@code randn_tensor} on CPU). */
    public NDArray randn(NDManager manager, Shape shape) {
        return manager.create(randn(shape.getShape()), shape);
    }

    /** {@link #rand(long...)} as a float32 array of {@code shape} on {@code manager}. */
    public NDArray rand(NDManager manager, Shape shape) {
        return manager.create(rand(shape.getShape()), shape);
    }

    private static int count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("dimensions must be >= 0, got " + java.util.Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("at most " + Integer.MAX_VALUE + " elements, got " + n);
        }
        return (int) n;
    }
}
