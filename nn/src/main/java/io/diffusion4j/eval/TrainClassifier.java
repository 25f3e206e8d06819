package io.diffusion4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.diffusion4j.data.FashionMnist;
import io.diffusion4j.data.LabeledImages;
import io.diffusion4j.io.Safetensors;
import io.diffusion4j.io.TempPaths;
import io.diffusion4j.nn.Params;
import io.diffusion4j.train.Checkpoint;
import io.diffusion4j.train.MainArgs;
import io.diffusion4j.train.MetricsLog;
import io.diffusion4j.train.Progress;
import io.diffusion4j.train.TrainConfig;
import io.diffusion4j.train.Trainer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Re-creates the shipped Fashion-MNIST classifier with the project's {@link Trainer}: trains
 * {@link ClassifierConfig#FASHION_MNIST} with {@link ClassificationObjective} (flip + ±2 px shifts) on
 * the 60,000 training images, resuming from the newest checkpoint in the run directory, then measures
 * the raw and the EMA weights on the 10,000 test images, keeps the better, and writes into the
 * resources directory the weights, the reference features ({@link ReferenceSet}) and the manifest with
 * their SHA-256 and the provenance.
 *
 * <pre>
 * apt-get install -y dataset-fashion-mnist
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -cp CLASSPATH \
 *      io.diffusion4j.eval.TrainClassifier [--data /usr/share/datasets/fashion-mnist] [--run runs/fmnist-classifier]
 *      [--resources nn/src/main/resources/io/diffusion4j/eval] [--steps 8000] [--batch 128] [--lr 2e-3]
 *      [--checkpoint-minutes 10] [--eval-every 1000] [--reference-size 2000]
 * </pre>
 */
public final class TrainClassifier {
    /** The training settings of the shipped classifier (steps and batch may be overridden). */
    public static final TrainConfig DEFAULT = new TrainConfig(8_000, 128, 2e-3, 300, true, 0.05, 0.9, 0.999, 1e-8, 5.0, 0.999,
            20_240_605L, 10);
    static final String WEIGHTS_FILE = "fmnist-classifier.safetensors";
    static final String REFERENCE_FILE = "fmnist-reference.safetensors.gz";
    private static final Gson GSON = new Gson();

    private TrainClassifier() {}

    /** Entry point; exit code 2 on bad usage, 1 on a run-time failure. */
    public static void main(String[] args) {
        MainArgs.run(args, List.of("data", "run", "resources", "steps", "batch", "lr", "checkpoint-minutes", "eval-every",
                "reference-size"), TrainClassifier::run);
    }

    private static void run(MainArgs o) throws IOException {
        Path data = o.path("data", FashionMnist.DEBIAN_DIR);
        Path runDir = o.path("run", Paths.get("runs/fmnist-classifier"));
        Path resources = o.path("resources", Paths.get("nn/src/main/resources/io/diffusion4j/eval"));
        TrainConfig train = new TrainConfig(o.whole("steps", DEFAULT.steps()),
                o.integer("batch", DEFAULT.batchSize()),
                o.number("lr", DEFAULT.lr()), DEFAULT.warmupSteps(), true,
                DEFAULT.weightDecay(), DEFAULT.beta1(), DEFAULT.beta2(), DEFAULT.adamEps(), DEFAULT.gradClip(), DEFAULT.emaDecay(),
                DEFAULT.seed(), DEFAULT.maxBadSteps());
        double ckptMinutes = o.number("checkpoint-minutes", 10);
        int evalEvery = o.integer("eval-every", 1000);
        int referenceSize = o.integer("reference-size", 2000);
        ClassifierConfig net = ClassifierConfig.FASHION_MNIST;
        JsonObject description = new JsonObject();
        description.add("network", GSON.toJsonTree(net));
        description.add("train", GSON.toJsonTree(train));
        description.addProperty("objective", "cross-entropy, flip + shift 2");

        try (NDManager manager = NDManager.newBaseManager();
             LabeledImages images = FashionMnist.load(manager, data, true);
             LabeledImages test = FashionMnist.load(manager, data, false)) {
            Classifier model = Params.create(new Classifier(net), manager, train.seed());
            Classifier ema = Params.create(new Classifier(net), manager, train.seed());
            ClassificationObjective objective = new ClassificationObjective(net.classes(), 2, true);
            try (Trainer<Classifier> trainer = new Trainer<>(model, ema, objective, train, images, manager)) {
                double seconds = resume(trainer, runDir, manager);
                try (MetricsLog log = MetricsLog.openAt(runDir.resolve("metrics.jsonl"), trainer.currentStep())) {
                    System.out.printf(Locale.ROOT, "training classifier: %,d parameters, %d threads, steps %d -> %d%n", Params.count(model),
                            JniUtils.getNumThreads(), trainer.currentStep(), train.steps());
                    Progress progress = new Progress(System.out, train.steps(), train.batchSize(), 50);
                    long lastCkpt = System.nanoTime();
                    while (trainer.currentStep() < train.steps()) {
                        Trainer.StepResult r = trainer.step();
                        seconds += r.seconds();
                        log.log(r, progress.update(r));
                        boolean last = trainer.currentStep() >= train.steps();
                        if (last || (System.nanoTime() - lastCkpt) / 60e9 >= ckptMinutes) {
                            log.flush();
                            description.addProperty("train_seconds", seconds);
                            System.out.println("checkpoint " + trainer.save(runDir, description, 2));
                            lastCkpt = System.nanoTime();
                        }
                        if (trainer.currentStep() % evalEvery == 0 || last) {
                            System.out.printf(Locale.ROOT, "step %d: test accuracy raw %.4f, ema %.4f%n", trainer.currentStep(),
                                    accuracy(model, test, manager), accuracy(ema, test, manager));
                        }
                    }
                }
                export(trainer, test, data, resources, referenceSize, seconds, train, manager);
            }
        }
    }

    /** Restores the newest checkpoint; returns the training seconds recorded in it (0 when starting fresh). */
    private static double resume(Trainer<Classifier> trainer, Path runDir, NDManager manager) throws IOException {
        Optional<Checkpoint.Loaded> latest = Checkpoint.readLatest(runDir, manager, w -> System.err.println("warning: " + w));
        if (latest.isEmpty()) {
            return 0;
        }
        try (Checkpoint.Loaded c = latest.get()) {
            trainer.restore(c);
            System.out.println("resumed from " + c.dir() + " at step " + c.step());
            return c.state().has("train_seconds") ? c.state().get("train_seconds").getAsDouble() : 0;
        }
    }

    /** Test accuracy of a network on a labelled set. */
    static double accuracy(Classifier c, LabeledImages set, NDManager manager) {
        long[] all = new long[(int) set.size()];
        Arrays.setAll(all, i -> i);
        try (NDManager sub = manager.newSubManager()) {
            float[] px = set.images(sub, all).toFloatArray();
            long[] labels = set.labels(sub, all).toLongArray();
            return FeatureExtractor.of(c, sub).embed(px, all.length).accuracy(labels);
        }
    }

    private static void export(Trainer<Classifier> trainer, LabeledImages test, Path data, Path resources, int referenceSize,
                               double seconds, TrainConfig train, NDManager manager) throws IOException {
        double raw = accuracy(trainer.model(), test, manager);
        double ema = accuracy(trainer.ema(), test, manager);
        boolean useEma = ema >= raw;
        Classifier chosen = useEma ? trainer.ema() : trainer.model();
        System.out.printf(Locale.ROOT, "final test accuracy: raw %.4f, ema %.4f -> shipping the %s weights%n", raw, ema,
                useEma ? "EMA" : "raw");
        Files.createDirectories(resources);
        Path weights = resources.resolve(WEIGHTS_FILE);
        writeAtomically(weights, tmp -> Safetensors.write(tmp, Params.arrays(chosen),
                new TreeMap<>(Map.of("format", ClassifierManifest.FORMAT, "kind", useEma ? "ema" : "raw"))));
        ReferenceSet ref;
        try (NDManager sub = manager.newSubManager()) {
            ref = ReferenceSet.fromDataset(FeatureExtractor.of(chosen, sub), data, referenceSize, ReferenceSet.SUBSET_SEED);
        }
        Path reference = resources.resolve(REFERENCE_FILE);
        try (NDManager sub = manager.newSubManager()) {
            Map<String, NDArray> tensors = ref.toTensors(sub);
            writeAtomically(reference, tmp -> gzipSafetensors(tmp, tensors));
        }
        String command = "apt-get install -y dataset-fashion-mnist; java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="
                + JniUtils.getNumThreads() + " -Dai.djl.pytorch.num_interop_threads=1 -cp CLASSPATH io.diffusion4j.eval.TrainClassifier"
                + " --steps " + train.steps() + " --batch " + train.batchSize() + " --lr " + train.lr() + " --reference-size " + referenceSize;
        ClassifierManifest m = new ClassifierManifest(ClassifierManifest.FORMAT, chosen.config(), ClassifierManifest.PREPROCESSING,
                WEIGHTS_FILE, ShippedFiles.sha256(Files.readAllBytes(weights)), useEma ? "ema" : "raw", REFERENCE_FILE,
                ShippedFiles.sha256(Files.readAllBytes(reference)), referenceSize, ReferenceSet.SUBSET_SEED, ref.testAccuracy(), raw,
                ema, trainer.currentStep(), train.batchSize(), Math.round(seconds), JniUtils.getNumThreads(), command);
        writeAtomically(resources.resolve(ClassifierManifest.FILE),
                tmp -> Files.writeString(tmp, m.toJson() + "\n", StandardCharsets.UTF_8));
        System.out.printf(Locale.ROOT, "wrote %s (sha256 %s), %s, %s; shipped test accuracy %.4f%n", weights, m.weightsSha256(),
                reference, ClassifierManifest.FILE, m.testAccuracy());
    }

    /** The features are post-ReLU, so about half zeros: gzip shrinks the file about threefold. */
    private static void gzipSafetensors(Path target, Map<String, NDArray> tensors) throws IOException {
        Path plain = TempPaths.newFile(target.toAbsolutePath().getParent(), ".reference", ".safetensors");
        try {
            Safetensors.write(plain, tensors, new TreeMap<>(Map.of("format", "diffusion4j-reference/1",
                    "subset_seed", Long.toString(ReferenceSet.SUBSET_SEED))));
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(target))) {   // header mtime 0: reproducible bytes
                Files.copy(plain, out);
            }
        } finally {
            Files.deleteIfExists(plain);
        }
    }

    private static void writeAtomically(Path file, TempPaths.Writer w) throws IOException {
        TempPaths.replaceAtomically(file, tmp -> {
            w.write(tmp);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        });
    }
}
