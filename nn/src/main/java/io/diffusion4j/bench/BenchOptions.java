package io.diffusion4j.bench;

import io.diffusion4j.util.Check;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Settings of {@link BenchMain#run}. The defaults (see {@link #DEFAULT}) are the benchmark of the
 * training issue: the default Fashion-MNIST U-Net at batch 128 on 2 engine threads, 3 warm-up and 15
 * timed steps each for training and forward, against the PyTorch twin when Debian's python3 has torch;
 * it finishes in about two minutes on 2 cores.
 *
 * @param threads engine threads (intra-op) for Java and PyTorch alike, 1 … 256
 * @param batch images per step, 1 … 4096
 * @param warmup untimed steps before timing, 0 … 1000
 * @param steps timed trainer steps (the median is reported), 1 … 100,000
 * @param forwardSteps timed forward passes (no gradient), 1 … 100,000
 * @param torch whether to run the PyTorch twin (skipped, with null figures, when python has no torch)
 * @param python the Python interpreter that runs {@code bench/unet_torch.py}
 * @param memorySteps when &gt; 0, run only the memory benchmark: this many trainer steps of a small U-Net
 * @param memoryEvery RSS sampling interval of the memory benchmark, in steps (≥ 1)
 * @param memoryWarmup steps before the first RSS sample, the baseline of the growth (≥ 1)
 * @param memoryBatch batch of the memory benchmark, 1 … 4096
 */
public record BenchOptions(int threads, int batch, int warmup, int steps, int forwardSteps, boolean torch, Path python,
                           long memorySteps, int memoryEvery, int memoryWarmup, int memoryBatch) {
    /** The benchmark {@code bench} runs without arguments. */
    public static final BenchOptions DEFAULT =
            new BenchOptions(2, 128, 3, 15, 15, true, Paths.get("/usr/bin/python3"), 0, 500, 500, 32);

    public BenchOptions {
        Check.inRange(threads, 1, 256, "threads");
        Check.inRange(batch, 1, 4096, "batch");
        Check.inRange(warmup, 0, 1000, "warm-up steps");
        Check.inRange(steps, 1, 100_000, "timed steps");
        Check.inRange(forwardSteps, 1, 100_000, "forward steps");
        Check.notNull(python, "python");
        if (memorySteps < 0 || memorySteps > 100_000_000L) {
            throw new IllegalArgumentException("memory steps must be in [0, 100000000] (0 = no memory benchmark), got " + memorySteps);
        }
        Check.positive(memoryEvery, "memory sampling interval");
        Check.positive(memoryWarmup, "memory warm-up steps");
        Check.inRange(memoryBatch, 1, 4096, "memory batch");
        if (memorySteps > 0 && memorySteps < (long) memoryWarmup + memoryEvery) {
            throw new IllegalArgumentException("memory steps must be at least warm-up + one interval ("
                    + ((long) memoryWarmup + memoryEvery) + "), got " + memorySteps);
        }
    }

    /** These options with another thread count. */
    public BenchOptions withThreads(int t) {
        return new BenchOptions(t, batch, warmup, steps, forwardSteps, torch, python, memorySteps, memoryEvery, memoryWarmup, memoryBatch);
    }

    /** These options with another batch. */
    public BenchOptions withBatch(int b) {
        return new BenchOptions(threads, b, warmup, steps, forwardSteps, torch, python, memorySteps, memoryEvery, memoryWarmup, memoryBatch);
    }

    /** These options with other warm-up and timed step counts (training and forward). */
    public BenchOptions withSteps(int warm, int timed, int forward) {
        return new BenchOptions(threads, batch, warm, timed, forward, torch, python, memorySteps, memoryEvery, memoryWarmup, memoryBatch);
    }

    /** These options with the PyTorch twin on or off, run by {@code interpreter}. */
    public BenchOptions withTorch(boolean on, Path interpreter) {
        return new BenchOptions(threads, batch, warmup, steps, forwardSteps, on, interpreter, memorySteps, memoryEvery, memoryWarmup, memoryBatch);
    }

    /** These options running only the memory benchmark of {@code n} steps (0 = off). */
    public BenchOptions withMemorySteps(long n) {
        return new BenchOptions(threads, batch, warmup, steps, forwardSteps, torch, python, n, memoryEvery, memoryWarmup, memoryBatch);
    }

    /** These options with another memory sampling interval, warm-up and batch. */
    public BenchOptions withMemorySampling(int every, int warm, int b) {
        return new BenchOptions(threads, batch, warmup, steps, forwardSteps, torch, python, memorySteps, every, warm, b);
    }
}
