package io.diffusion4j.bench;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import io.diffusion4j.data.LabeledImages;
import io.diffusion4j.nn.Params;
import io.diffusion4j.nn.UNet;
import io.diffusion4j.nn.UNetConfig;
import io.diffusion4j.train.TrainConfig;
import io.diffusion4j.train.Trainer;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Whether training leaks: many steps of the real {@link Trainer} on a small U-Net, with the resident
 * set size sampled every {@code every} steps after a warm-up. Emits one {@code memory-sample} line per
 * sample and a closing {@code memory-growth} line with the growth from the first sample to the last
 * (and to the largest), in percent. The Java heap's committed size is reported beside the RSS: heap
 * sizing by the garbage collector shows up in RSS without being a leak of native tensors.
 */
final class MemoryBenchmark {
    /** A small class-conditional U-Net: C = 16, levels (1, 2), one res block, attention at 14×14 and in the middle. */
    static final UNetConfig SMALL = new UNetConfig(1, 16, List.of(1, 2), 1, List.of(1), true, 2, 4, 0.1, 10);
    static final String NETWORK = "unet-small";

    private MemoryBenchmark() {}

    static void run(long steps, int every, int warmup, int batch, Consumer<String> lines, Consumer<String> log) {
        try (NDManager manager = NDManager.newBaseManager();
             LabeledImages data = TrainBenchmark.randomImages(manager, TrainBenchmark.DATA_SIZE, SMALL.numClasses(), 5)) {
            UNet model = Params.create(new UNet(SMALL), manager, 5);
            UNet ema = Params.create(new UNet(SMALL), manager, 5);
            TrainConfig train = TrainConfig.FASHION_MNIST.withBatchSize(batch).withSteps(steps).withWarmup(100);
            log.accept(String.format(Locale.ROOT, "memory: %,d steps of %s (%,d parameters) at batch %d, RSS every %d steps after %d",
                    steps, NETWORK, Params.count(model), batch, every, warmup));
            double first = Double.NaN;
            double last = Double.NaN;
            double max = Double.NaN;
            long t0 = System.nanoTime();
            long timedFrom = 0;
            try (Trainer<UNet> trainer = new Trainer<>(model, ema, TrainBenchmark.objective(SMALL.numClasses()), train, data, manager)) {
                for (long s = 1; s <= steps; s++) {
                    trainer.step();
                    if (s == warmup) {
                        t0 = System.nanoTime();
                        timedFrom = s;
                    }
                    if (s >= warmup && (s - warmup) % every == 0) {
                        double rss = ProcessMemory.rssMb();
                        if (Double.isNaN(first)) {
                            first = rss;
                        }
                        last = rss;
                        max = Double.isNaN(max) ? rss : Math.max(max, rss);
                        JsonObject o = BenchMain.line("memory-sample", NETWORK, batch);
                        o.addProperty("step", s);
                        o.addProperty("rss_mb", BenchMain.round(rss, 1));
                        o.addProperty("heap_committed_mb", BenchMain.round(Runtime.getRuntime().totalMemory() / 1048576.0, 1));
                        lines.accept(o.toString());
                    }
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            JsonObject o = BenchMain.line("memory-growth", NETWORK, batch);
            o.addProperty("steps", steps);
            o.addProperty("warmup", warmup);
            o.addProperty("rss_first_mb", BenchMain.round(first, 1));
            o.addProperty("rss_last_mb", BenchMain.round(last, 1));
            o.addProperty("rss_max_mb", BenchMain.round(max, 1));
            o.addProperty("growth_pct", BenchMain.round(100 * (last - first) / first, 2));
            o.addProperty("max_growth_pct", BenchMain.round(100 * (max - first) / first, 2));
            o.addProperty("img_per_s", BenchMain.round(batch * (steps - timedFrom) / seconds, 1));
            lines.accept(o.toString());
        }
    }
}
