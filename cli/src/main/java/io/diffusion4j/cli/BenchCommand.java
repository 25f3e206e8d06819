package io.diffusion4j.cli;

import io.diffusion4j.bench.BenchMain;
import io.diffusion4j.bench.BenchOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * The throughput benchmarks ({@link BenchMain}): one JSON object per line on standard output, progress
 * on standard error. Without options: training and forward throughput and peak memory of the default
 * Fashion-MNIST U-Net at batch 128 on 2 threads beside the PyTorch twin measured in the same run (about
 * two minutes on 2 cores); {@code --memory-steps N} runs the long memory benchmark instead.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Training/forward throughput and memory of the default U-Net beside the PyTorch twin, as JSON lines with ratios.",
                "Without options it finishes in a few minutes; --memory-steps runs only the long memory benchmark."})
final class BenchCommand implements Callable<Integer> {
    private static final BenchOptions D = BenchOptions.DEFAULT;

    @Option(names = "--threads", description = "Engine threads for Java and PyTorch alike, 1..256. Default: ${DEFAULT-VALUE}.")
    int threads = D.threads();

    @Option(names = "--batch", description = "Images per step, 1..4096. Default: ${DEFAULT-VALUE}.")
    int batch = D.batch();

    @Option(names = "--warmup", description = "Untimed steps before timing, 0..1000. Default: ${DEFAULT-VALUE}.")
    int warmup = D.warmup();

    @Option(names = "--steps", description = "Timed trainer steps (median reported), 1..100000. Default: ${DEFAULT-VALUE}.")
    int steps = D.steps();

    @Option(names = "--forward-steps", description = "Timed forward passes, 1..100000. Default: ${DEFAULT-VALUE}.")
    int forwardSteps = D.forwardSteps();

    @Option(names = "--no-torch", description = "Skip the PyTorch twin (its figures and the ratios are null).")
    boolean noTorch;

    @Option(names = "--python", paramLabel = "EXE", description = "Python with torch that runs bench/unet_torch.py. Default: ${DEFAULT-VALUE}.")
    Path python = D.python();

    @Option(names = "--memory-steps", description = "Run only the memory benchmark: RSS over this many trainer steps of a small U-Net (e.g. 10000).")
    long memorySteps = D.memorySteps();

    @Option(names = "--memory-every", description = "RSS sampling interval of the memory benchmark, in steps. Default: ${DEFAULT-VALUE}.")
    int memoryEvery = D.memoryEvery();

    @Option(names = "--memory-warmup", description = "Steps before the first RSS sample of the memory benchmark. Default: ${DEFAULT-VALUE}.")
    int memoryWarmup = D.memoryWarmup();

    @Option(names = "--memory-batch", description = "Batch of the memory benchmark, 1..4096. Default: ${DEFAULT-VALUE}.")
    int memoryBatch = D.memoryBatch();

    @Option(names = "--profile", description = "Developer tool: median time of each phase of the trainer step (Java and PyTorch).")
    boolean profile;

    @Option(names = "--bf16", description = "Experiment: the same throughput with bfloat16 convolutions on both sides (needs avx512_bf16).")
    boolean bf16;

    @Mixin
    Console console;

    @Override
    public Integer call() {
        BenchOptions options;
        try {
            options = new BenchOptions(threads, batch, warmup, steps, forwardSteps, !noTorch, python, memorySteps, memoryEvery,
                    memoryWarmup, memoryBatch);
        } catch (IllegalArgumentException e) {
            throw new Errors.UsageException(e.getMessage());
        }
        if ((profile ? 1 : 0) + (bf16 ? 1 : 0) + (memorySteps > 0 ? 1 : 0) > 1) {
            throw new Errors.UsageException("--profile, --bf16 and --memory-steps are separate benchmarks; give one of them");
        }
        PrintWriter out = console.out();
        PrintWriter err = console.err();
        Consumer<String> lines = line -> {
            out.println(line);
            out.flush();
        };
        Consumer<String> log = message -> {
            err.println(message);
            err.flush();
        };
        try {
            if (profile) {
                BenchMain.profile(options, lines, log);
            } else if (bf16) {
                BenchMain.bf16(options, lines, log);
            } else {
                BenchMain.run(options, lines, log);
            }
        } catch (RuntimeException e) {
            throw new Errors.RunFailure("benchmark failed: " + e.getMessage());
        }
        return 0;
    }
}
