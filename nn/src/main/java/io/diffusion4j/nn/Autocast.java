package io.diffusion4j.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * Mixed precision for convolutions, scoped to the current thread like {@code torch.autocast}: inside
 * {@link #bf16Convolutions()}, every float32 {@link Conv} casts its input, weight and bias to bfloat16,
 * convolves, and casts the result back to float32 (parameters, gradients, optimizer state and every
 * other op stay float32). Opt-in and off by default: it changes the numerics of training. It needs a CPU
 * with native bfloat16 dot products (avx512_bf16 or amx_bf16); elsewhere bfloat16 convolutions are
 * emulated and slower than float32.
 *
 * <pre>
 * try (Autocast ignored = Autocast.bf16Convolutions()) {
 *     trainer.step();
 * }
 * </pre>
 */
public final class Autocast implements AutoCloseable {
    private static final ThreadLocal<Boolean> BF16 = ThreadLocal.withInitial(() -> false);
    private final boolean previous;

    private Autocast(boolean previous) {
        this.previous = previous;
    }

    /**
     * Turns bfloat16 convolutions on for this thread until {@link #close}.
     *
     * @throws IllegalStateException when the CPU has no native bfloat16 instructions
     */
    public static Autocast bf16Convolutions() {
        if (!cpuHasBf16()) {
            throw new IllegalStateException("bf16 autocast needs a CPU with avx512_bf16 or amx_bf16 (see /proc/cpuinfo); "
                    + "this one has neither, so float32 is faster");
        }
        Autocast scope = new Autocast(BF16.get());
        BF16.set(true);
        return scope;
    }

    /** Whether convolutions on this thread run in bfloat16. */
    public static boolean bf16ConvolutionsActive() {
        return BF16.get();
    }

    /** Whether /proc/cpuinfo lists avx512_bf16 or amx_bf16. */
    public static boolean cpuHasBf16() {
        try {
            String info = Files.readString(Paths.get("/proc/cpuinfo"));
            return info.contains(" avx512_bf16") || info.contains(" amx_bf16");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        BF16.set(previous);
    }
}
