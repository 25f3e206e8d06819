package io.diffusion4j.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.diffusion4j.nn.Autocast;
import io.diffusion4j.nn.UNetConfig;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The benchmarks of the training issue. Without a memory step count: training throughput of the
 * default Fashion-MNIST U-Net (the full {@link io.diffusion4j.train.Trainer} step at the given batch),
 * forward-only throughput and peak RSS, each beside the same figure of the PyTorch twin
 * ({@code bench/unet_torch.py}, same architecture, objective and optimizer, same thread count) measured
 * in the same run, plus a check that the twin computes the same function. Output, one JSON object per
 * line (figures of PyTorch null when python3 cannot import torch):
 * <pre>
 * {"bench":"train","network":"unet-fmnist","batch":128,"img_per_s":…,"torch_img_per_s":…,"ratio":…}
 * {"bench":"forward","network":"unet-fmnist","batch":128,"img_per_s":…,"torch_img_per_s":…,"ratio":…}
 * {"bench":"memory","network":"unet-fmnist","batch":128,"peak_rss_mb":…,"torch_peak_rss_mb":…,"ratio":…}
 * {"bench":"twin-check","network":"unet-fmnist","max_abs_diff":…,"max_abs_output":…}
 * </pre>
 * With {@code --memory-steps N}: only the memory benchmark ({@link MemoryBenchmark}). With
 * {@link #profile}: the time of each phase of the step ({@link StepProfile}); {@link #bf16}: the experiment
 * with bfloat16 convolutions. The {@code diffusion4j bench} command parses the options.
 *
 * <pre>
 * ./diffusion4j bench [--threads 2] [--batch 128] [--warmup 3] [--steps 15] [--forward-steps 15] [--no-torch]
 *      [--python /usr/bin/python3] [--memory-steps 10000 [--memory-every 500] [--memory-warmup 500] [--memory-batch 32]]
 *      [--profile | --bf16]
 * </pre>
 */
public final class BenchMain {
    /** The network name in the output lines. */
    public static final String NETWORK = "unet-fmnist";

    private BenchMain() {}

    /** Runs the benchmarks and returns their JSON lines; progress goes to standard error. */
    public static List<String> run(BenchOptions options) {
        List<String> out = new ArrayList<>();
        run(options, out::add, System.err::println);
        return out;
    }

    /**
     * Runs the benchmarks, passing each JSON line to {@code lines} as soon as it is known (the memory
     * benchmark takes a while) and progress messages to {@code log}.
     */
    public static void run(BenchOptions o, Consumer<String> lines, Consumer<String> log) {
        setThreads(o.threads());
        if (o.memorySteps() > 0) {
            MemoryBenchmark.run(o.memorySteps(), o.memoryEvery(), o.memoryWarmup(), o.memoryBatch(), lines, log);
            return;
        }
        UNetConfig net = UNetConfig.FASHION_MNIST;
        log.accept(String.format(Locale.ROOT, "bench: %s, batch %d, %d engine threads (PyTorch %s via DJL), %d CPUs, load average %s",
                NETWORK, o.batch(), JniUtils.getNumThreads(), Engine.getEngine("PyTorch").getVersion(),
                Runtime.getRuntime().availableProcessors(), loadAverage()));
        TrainBenchmark.Result java = TrainBenchmark.run(net, o.batch(), o.warmup(), o.steps(), o.forwardSteps(), log);
        double javaPeak = ProcessMemory.peakRssMb();

        Map<String, JsonObject> torch = Map.of();
        JsonObject check = null;
        if (o.torch() && TorchTwin.available(o.python())) {
            try {
                torch = TorchTwin.run(o.python(), List.of("--threads", Integer.toString(o.threads()), "--batch",
                        Integer.toString(o.batch()), "--warmup", Integer.toString(o.warmup()), "--steps",
                        Integer.toString(o.steps()), "--forward-steps", Integer.toString(o.forwardSteps())), log);
                check = TwinCheck.run(o.python(), net, o.threads(), log);
            } catch (RuntimeException e) {
                log.accept("warning: PyTorch figures are null: " + e.getMessage());
            }
        } else if (o.torch()) {
            log.accept("torch: " + o.python() + " cannot import torch; PyTorch figures are null");
        }
        lines.accept(compare("train", o.batch(), "img_per_s", java.trainImgPerS(), figure(torch, "train", "img_per_s"), 2).toString());
        lines.accept(compare("forward", o.batch(), "img_per_s", java.forwardImgPerS(), figure(torch, "forward", "img_per_s"), 2).toString());
        lines.accept(compare("memory", o.batch(), "peak_rss_mb", javaPeak, figure(torch, "memory", "peak_rss_mb"), 1).toString());
        JsonObject c = new JsonObject();
        c.addProperty("bench", "twin-check");
        c.addProperty("network", NETWORK);
        c.add("max_abs_diff", check == null ? JsonNull.INSTANCE : check.get("max_abs_diff"));
        c.add("max_abs_output", check == null ? JsonNull.INSTANCE : check.get("max_abs_output"));
        lines.accept(c.toString());
    }

    /**
     * Developer tool ({@code --profile}): median time of each phase of the trainer step, Java and (when
     * available) the PyTorch twin, as {@code "bench":"profile"} lines.
     */
    public static void profile(BenchOptions o, Consumer<String> lines, Consumer<String> log) {
        setThreads(o.threads());
        StepProfile.run(UNetConfig.FASHION_MNIST, o.batch(), o.warmup(), o.steps(), lines);
        if (o.torch() && TorchTwin.available(o.python())) {
            JsonObject t = TorchTwin.run(o.python(), List.of("--profile", "--threads", Integer.toString(o.threads()), "--batch",
                    Integer.toString(o.batch()), "--warmup", Integer.toString(o.warmup()), "--steps", Integer.toString(o.steps())), log)
                    .get("profile");
            lines.accept(t.toString());
        }
    }

    /**
     * Experiment ({@code --bf16}, command line only): the same throughput with bfloat16 convolutions
     * ({@link Autocast}) against the twin with the same bfloat16 convolutions (PyTorch 1.13's own CPU
     * autocast fails on {@code group_norm}), as {@code train-bf16} and {@code forward-bf16} lines.
     */
    public static void bf16(BenchOptions o, Consumer<String> lines, Consumer<String> log) {
        setThreads(o.threads());
        TrainBenchmark.Result java;
        try (Autocast ignored = Autocast.bf16Convolutions()) {
            java = TrainBenchmark.run(UNetConfig.FASHION_MNIST, o.batch(), o.warmup(), o.steps(), o.forwardSteps(), log);
        }
        Map<String, JsonObject> torch = Map.of();
        if (o.torch() && TorchTwin.available(o.python())) {
            torch = TorchTwin.run(o.python(), List.of("--bf16", "--threads", Integer.toString(o.threads()), "--batch",
                    Integer.toString(o.batch()), "--warmup", Integer.toString(o.warmup()), "--steps", Integer.toString(o.steps()),
                    "--forward-steps", Integer.toString(o.forwardSteps())), log);
        }
        lines.accept(compare("train-bf16", o.batch(), "img_per_s", java.trainImgPerS(), figure(torch, "train-bf16", "img_per_s"), 2)
                .toString());
        lines.accept(compare("forward-bf16", o.batch(), "img_per_s", java.forwardImgPerS(),
                figure(torch, "forward-bf16", "img_per_s"), 2).toString());
    }

    /** Loads the engine at {@code threads} intra-op threads (or switches a loaded engine to that count). */
    static void setThreads(int threads) {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        Engine.getEngine("PyTorch");
        if (JniUtils.getNumThreads() != threads) {
            JniUtils.setNumThreads(threads);
        }
    }

    /**
     * The 1-minute load average (Linux), or "unknown". Engine threads that compete with other processes
     * for the cores slow down many-fold, so figures taken under load are low and noisy.
     */
    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Paths.get("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static JsonObject compare(String bench, int batch, String key, double java, Double torch, int digits) {
        JsonObject o = line(bench, NETWORK, batch);
        o.addProperty(key, round(java, digits));
        o.add("torch_" + key, torch == null ? JsonNull.INSTANCE : new JsonPrimitive(round(torch, digits)));
        o.add("ratio", torch == null || !(torch > 0) ? JsonNull.INSTANCE : new JsonPrimitive(round(java / torch, 3)));
        return o;
    }

    private static Double figure(Map<String, JsonObject> torch, String bench, String key) {
        JsonObject o = torch.get(bench);
        JsonElement e = o == null ? null : o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsDouble();
    }

    /** A JSON line starting {@code "bench", "network", "batch"}. */
    static JsonObject line(String bench, String network, int batch) {
        JsonObject o = new JsonObject();
        o.addProperty("bench", bench);
        o.addProperty("network", network);
        o.addProperty("batch", batch);
        return o;
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
