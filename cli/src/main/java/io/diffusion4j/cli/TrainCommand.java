package io.diffusion4j.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.diffusion4j.data.FashionMnist;
import io.diffusion4j.data.ImageFolder;
import io.diffusion4j.data.NpyData;
import io.diffusion4j.data.Samples;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.nn.UNetConfig;
import io.diffusion4j.schedule.BetaSchedule;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.train.Checkpoint;
import io.diffusion4j.train.DiffusionObjective;
import io.diffusion4j.train.ImageTrainingRun;
import io.diffusion4j.train.LossWeighting;
import io.diffusion4j.train.SampleGrid;
import io.diffusion4j.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Trains a U-Net diffusion model on images: Fashion-MNIST, an image folder or a .npy array. Settings come
 * from the defaults of the Fashion-MNIST model, then a JSON file ({@code --config}: any of the sections
 * "network", "objective", "train" as a checkpoint's state.json writes them), then the flags.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a U-Net diffusion model (checkpoints, sample grids, metrics.jsonl and loss.png in --out).")
final class TrainCommand implements Callable<Integer> {
    private static final Gson GSON = new Gson();

    @Option(names = "--data", required = true, paramLabel = "SOURCE",
            description = "fashion-mnist (Debian package dataset-fashion-mnist), a folder of PNG/JPEG images (sub-folders = classes) or a .npy (N,C,H,W) file.")
    String data;

    @Option(names = "--labels", paramLabel = "FILE", description = "int64 (N,) labels for a .npy data file.")
    Path labels;

    @Option(names = "--out", defaultValue = "runs/train", paramLabel = "DIR", description = "Run folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in --out (required when it has one).")
    boolean resume;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON with \"network\", \"objective\" and/or \"train\" sections.")
    Path config;

    @Option(names = "--steps", description = "Training steps (total, including resumed ones).")
    Long steps;

    @Option(names = "--batch", description = "Batch size.")
    Integer batch;

    @Option(names = "--lr", description = "Peak learning rate (AdamW).")
    Double lr;

    @Option(names = "--warmup", description = "Linear warm-up steps before the cosine decay.")
    Long warmup;

    @Option(names = "--ema", description = "EMA decay (with warm-up min(decay, (1+s)/(10+s))).")
    Double ema;

    @Option(names = "--seed", description = "Seed of everything random in training.")
    Long seed;

    @Option(names = "--channels", description = "U-Net base channels C.")
    Integer channels;

    @Option(names = "--dropout", description = "Dropout in the ResBlocks.")
    Double dropout;

    @Option(names = "--prediction", description = "epsilon, sample or v_prediction.")
    String prediction;

    @Option(names = "--weighting", description = "Loss weights: uniform, min-snr or vlb.")
    String weighting;

    @Option(names = "--beta-schedule", description = "linear, scaled_linear, squaredcos_cap_v2 or sigmoid.")
    String betaSchedule;

    @Option(names = "--p-uncond", description = "Label dropout for classifier-free guidance, 0..1.")
    Double pUncond;

    @Option(names = "--unconditional", description = "Ignore labels: train an unconditional model.")
    boolean unconditional;

    @Option(names = "--image-size", defaultValue = "28", description = "Image folders: side of the (square) training images. Default: ${DEFAULT-VALUE}.")
    int imageSize;

    @Option(names = "--rgb", description = "Image folders: keep colour (3 channels) instead of grey.")
    boolean rgb;

    @Option(names = "--checkpoint-minutes", defaultValue = "10", description = "Wall time between checkpoints. Default: ${DEFAULT-VALUE}.")
    double checkpointMinutes;

    @Option(names = "--keep", defaultValue = "3", description = "Checkpoints to keep. Default: ${DEFAULT-VALUE}.")
    int keep;

    @Mixin
    Console console;

    @Override
    public Integer call() throws Exception {
        JsonObject file = config == null ? new JsonObject() : readConfig(config);
        UNetConfig net = file.has("network") ? GSON.fromJson(file.get("network"), UNetConfig.class) : UNetConfig.FASHION_MNIST;
        TrainConfig train = file.has("train") ? GSON.fromJson(file.get("train"), TrainConfig.class) : TrainConfig.FASHION_MNIST.withSteps(10_000);
        DiffusionObjective.Config objective = file.has("objective") ? GSON.fromJson(file.get("objective"), DiffusionObjective.Config.class)
                : new DiffusionObjective.Config(DiscreteVp.Config.DEFAULT, Prediction.EPSILON, LossWeighting.MIN_SNR, 5.0, 0.1, 10);
        train = new TrainConfig(pick(steps, train.steps()), pick(batch, train.batchSize()), pick(lr, train.lr()), pick(warmup, train.warmupSteps()),
                train.cosine(), train.weightDecay(), train.beta1(), train.beta2(), train.adamEps(), train.gradClip(), pick(ema, train.emaDecay()),
                pick(seed, train.seed()), train.maxBadSteps());
        DiscreteVp.Config schedule = betaSchedule == null ? objective.schedule()
                : objective.schedule().withBetaSchedule(BetaSchedule.fromDiffusersName(betaSchedule));
        Prediction pred = prediction == null ? objective.prediction() : Prediction.fromName(prediction);
        LossWeighting w = weighting == null ? objective.weighting() : weighting(weighting);
        Check4Cli.dataSource(data, labels);
        Path target = out.toAbsolutePath().normalize();
        if (!Checkpoint.list(target).isEmpty() && !resume) {
            throw new Errors.UsageException("--out " + out + " already holds checkpoints; add --resume to continue that run or choose another --out");
        }
        try (NDManager manager = NDManager.newBaseManager(); Samples samples = load(manager)) {
            int classes = unconditional ? 0 : samples.numClasses();
            net = new UNetConfig(samples.sampleShape().get(0) > 0 ? (int) samples.sampleShape().get(0) : net.inChannels(),
                    pick(channels, net.baseChannels()), net.channelMult(), net.resBlocks(), net.attentionLevels(), net.middleAttention(),
                    net.heads(), net.groups(), pick(dropout, net.dropout()), classes);
            objective = new DiffusionObjective.Config(schedule, pred, w, objective.snrGamma(), pick(pUncond, objective.pUncond()), classes);
            Samples data = unconditional ? samples.withoutLabels() : samples;
            ImageTrainingRun run = new ImageTrainingRun(net, objective, train, target, checkpointMinutes, 0, keep, Long.MAX_VALUE, 10,
                    new SampleGrid(50, 3.0, 8, 7));
            run.execute(data, describe(), manager);
        }
        return 0;
    }

    private Samples load(NDManager manager) throws IOException {
        if (data.equals("fashion-mnist")) {
            if (!Files.isDirectory(FashionMnist.DEBIAN_DIR)) {
                throw new Errors.RunFailure("Fashion-MNIST is not installed: run 'apt-get install dataset-fashion-mnist' (it installs to "
                        + FashionMnist.DEBIAN_DIR + ")");
            }
            return FashionMnist.load(manager, FashionMnist.DEBIAN_DIR, true);
        }
        Path p = Path.of(data);
        if (Files.isDirectory(p)) {
            return ImageFolder.load(manager, p, ImageFolder.Format.square(imageSize, rgb));
        }
        return NpyData.load(manager, p, labels, 0);
    }

    private String describe() {
        return data.equals("fashion-mnist") ? FashionMnist.DEBIAN_DIR.toString() : Path.of(data).toAbsolutePath().toString();
    }

    private static JsonObject readConfig(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException e) {
            throw new Errors.RunFailure("cannot read --config " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new Errors.UsageException("--config " + file + " is not a JSON object: " + e.getMessage());
        }
    }

    private static LossWeighting weighting(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "uniform" -> LossWeighting.UNIFORM;
            case "min-snr", "min_snr" -> LossWeighting.MIN_SNR;
            case "vlb" -> LossWeighting.VLB;
            default -> throw new Errors.UsageException("--weighting must be one of uniform, min-snr, vlb; got " + name);
        };
    }

    private static <T> T pick(T flag, T fallback) {
        return flag != null ? flag : fallback;
    }

    /** Argument checks that need no engine. */
    static final class Check4Cli {
        private Check4Cli() {}

        static void dataSource(String data, Path labels) {
            if (data.startsWith("toy:")) {
                throw new Errors.UsageException("--data " + data + ": 2-D toys are trained through the library (MlpDenoiser) for now; "
                        + "the train command takes fashion-mnist, an image folder or a .npy file");
            }
            if (!data.equals("fashion-mnist")) {
                Path p = Path.of(data);
                if (!Files.exists(p)) {
                    throw new Errors.RunFailure("--data " + data + " does not exist; give fashion-mnist, an image folder or a .npy file");
                }
                if (!Files.isDirectory(p) && !data.endsWith(".npy")) {
                    throw new Errors.UsageException("--data " + data + " is neither a folder nor a .npy file");
                }
            }
            if (labels != null && !Files.isRegularFile(labels)) {
                throw new Errors.RunFailure("--labels " + labels + " does not exist");
            }
        }
    }
}
