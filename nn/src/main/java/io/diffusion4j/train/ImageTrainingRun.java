package io.diffusion4j.train;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.diffusion4j.data.Samples;
import io.diffusion4j.nn.Params;
import io.diffusion4j.nn.UNet;
import io.diffusion4j.nn.UNetConfig;
import io.diffusion4j.util.Check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * One training run of a {@link UNet} diffusion model on image data, in a run folder: it resumes from
 * the newest valid checkpoint there (refusing one of another network or objective), trains to {@code
 * train.steps()}, and every {@code checkpointMinutes} of wall time, on SIGTERM/Ctrl-C and at the end
 * writes a checkpoint, a class-by-row sample grid of the EMA weights ({@code grid-<step>.png}; a plain
 * grid for unconditional models), the JSON-lines metrics log ({@code metrics.jsonl}) and the loss
 * curve ({@code loss.png}).
 *
 * @param network the network
 * @param objective the diffusion objective
 * @param train optimisation settings
 * @param out the run folder
 * @param checkpointMinutes wall time between checkpoints
 * @param gridMinutes minimum wall time between sample grids (0 = with every checkpoint)
 * @param keep checkpoints to keep
 * @param stopAfter stop (with a checkpoint) after this many steps of this invocation
 * @param logEvery console progress every this many steps
 * @param grid how sample grids are drawn
 */
public record ImageTrainingRun(UNetConfig network, DiffusionObjective.Config objective, TrainConfig train, Path out,
                               double checkpointMinutes, double gridMinutes, int keep, long stopAfter, int logEvery, SampleGrid grid) {
    private static final Gson GSON = new Gson();

    public ImageTrainingRun {
        Check.notNull(network, "network");
        Check.notNull(objective, "objective");
        Check.notNull(train, "train");
        Check.notNull(out, "out");
        Check.positive(checkpointMinutes, "checkpoint minutes");
        Check.nonNegative(gridMinutes, "grid minutes");
        Check.positive(keep, "checkpoints to keep");
        Check.positive(logEvery, "log interval");
        if (network.numClasses() != objective.numClasses()) {
            throw new IllegalArgumentException("network has " + network.numClasses() + " classes, objective " + objective.numClasses());
        }
    }

    /** What is recorded with every checkpoint and compared on resume. */
    public JsonObject description(String dataDescription, Samples data) {
        JsonObject d = new JsonObject();
        d.add("network", GSON.toJsonTree(network));
        d.add("objective", GSON.toJsonTree(objective));
        d.add("train", GSON.toJsonTree(train));
        d.addProperty("data", dataDescription);
        d.add("image_shape", GSON.toJsonTree(data.sampleShape().getShape()));
        return d;
    }

    /** Trains on {@code data} (images (C, H, W) in [−1, 1], labels when the network is conditional). */
    public void execute(Samples data, String dataDescription, NDManager manager) throws IOException {
        if (data.sampleShape().dimension() != 3 || data.sampleShape().get(0) != network.inChannels()) {
            throw new IllegalArgumentException("the network takes " + network.inChannels() + "-channel images (C, H, W), the data has samples of shape "
                    + data.sampleShape());
        }
        if (network.numClasses() > 0 && data.numClasses() != network.numClasses()) {
            throw new IllegalArgumentException("a network of " + network.numClasses() + " classes needs labelled data of as many classes, the data has "
                    + data.numClasses());
        }
        Files.createDirectories(out);
        JsonObject description = description(dataDescription, data);
        UNet model = Params.create(new UNet(network), manager, train.seed());
        UNet ema = Params.create(new UNet(network), manager, train.seed());
        DiffusionObjective obj = new DiffusionObjective(objective);
        try (Trainer<UNet> trainer = new Trainer<>(model, ema, obj, train, data, manager)) {
            resume(trainer, out, description, manager);
            System.out.printf(Locale.ROOT, "training %s: %,d parameters, %d samples, %d threads, from step %d to %d%n",
                    out, Params.count(model), data.size(), JniUtils.getNumThreads(), trainer.currentStep(), train.steps());
            try (MetricsLog log = MetricsLog.openAt(out.resolve("metrics.jsonl"), trainer.currentStep())) {
                loop(trainer, train, out, description, keep, checkpointMinutes, gridMinutes, stopAfter, logEvery, grid, obj, data, log, manager);
            }
        }
    }

    private static void resume(Trainer<UNet> trainer, Path out, JsonObject description, NDManager manager) throws IOException {
        Optional<Checkpoint.Loaded> latest = Checkpoint.readLatest(out, manager, w -> System.err.println("warning: " + w));
        if (latest.isEmpty()) {
            return;
        }
        try (Checkpoint.Loaded c = latest.get()) {
            for (String key : new String[] {"network", "objective"}) {
                JsonElement saved = c.state().get(key);
                if (!description.get(key).equals(saved)) {
                    throw new IllegalArgumentException("checkpoint " + c.dir() + " has a different " + key + " (" + saved
                            + "); use another --out directory");
                }
            }
            int threads = c.state().has("threads") ? c.state().get("threads").getAsInt() : -1;
            if (threads != JniUtils.getNumThreads()) {
                System.err.printf("warning: checkpoint was written with %d engine threads, this run has %d: the resumed run is "
                        + "valid but not bit-identical to an uninterrupted one%n", threads, JniUtils.getNumThreads());
            }
            trainer.restore(c);
            System.out.println("resumed from " + c.dir() + " at step " + c.step());
        }
    }

    private static void loop(Trainer<UNet> trainer, TrainConfig train, Path out, JsonObject description, int keep, double ckptMinutes,
                             double gridMinutes, long stopAfter, int logEvery, SampleGrid grid, DiffusionObjective obj,
                             Samples images, MetricsLog log, NDManager manager) throws IOException {
        Thread main = Thread.currentThread();
        Object stopLock = new Object();
        boolean[] stop = {false};
        boolean[] finished = {false};
        Thread hook = new Thread(() -> {
            synchronized (stopLock) {
                stop[0] = true;
            }
            try {
                main.join(120_000);   // let the loop write its checkpoint
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        Progress progress = new Progress(System.out, train.steps(), train.batchSize(), logEvery);
        long lastCkpt = System.nanoTime();
        long lastGrid = System.nanoTime();
        long ranThisInvocation = 0;
        try {
            while (trainer.currentStep() < train.steps()) {
                Trainer.StepResult r = trainer.step();
                double ips = progress.update(r);
                log.log(r, train.batchSize() / r.seconds());
                ranThisInvocation++;
                boolean last = trainer.currentStep() >= train.steps();
                boolean stopping;
                synchronized (stopLock) {
                    stopping = stop[0] || ranThisInvocation >= stopAfter;
                }
                if (last || stopping || minutesSince(lastCkpt) >= ckptMinutes) {
                    log.flush();
                    progress.newline();
                    Path dir = trainer.save(out, description, keep);
                    System.out.printf(Locale.ROOT, "checkpoint %s (%.1f img/s)%n", dir, ips);
                    lastCkpt = System.nanoTime();
                    if (last || (!stopping && minutesSince(lastGrid) >= gridMinutes)) {
                        long t0 = System.nanoTime();
                        Path png = out.resolve(String.format("grid-%08d.png", trainer.currentStep()));
                        grid.write(png, trainer.ema(), obj.schedule(), obj.config().prediction(), images.sampleShape(), manager);
                        System.out.printf(Locale.ROOT, "sample grid %s (%.0f s)%n", png, (System.nanoTime() - t0) / 1e9);
                        LossCurve.write(out.resolve("metrics.jsonl"), out.resolve("loss.png"));
                        lastGrid = System.nanoTime();
                    }
                }
                if (stopping) {
                    System.out.println("stopped at step " + trainer.currentStep());
                    break;
                }
            }
            log.flush();
            finished[0] = true;
        } finally {
            if (finished[0]) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // the JVM is already shutting down
                }
            }
        }
    }

    private static double minutesSince(long nanos) {
        return (System.nanoTime() - nanos) / 60e9;
    }
}
