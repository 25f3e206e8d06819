package io.diffusion4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.diffusion4j.io.Safetensors;
import io.diffusion4j.io.TempPaths;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.NetworkDenoiser;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.nn.Params;
import io.diffusion4j.nn.UNet;
import io.diffusion4j.nn.UNetConfig;
import io.diffusion4j.schedule.DiscreteVp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A trained denoiser ready to sample: the EMA weights of a {@link UNet}, its noise process, its
 * prediction type and where it came from. Loaded from a training checkpoint (a {@link Checkpoint}
 * directory, or a run folder whose newest valid checkpoint is taken) or from an exported model (a
 * {@code model.json} and an {@code ema.safetensors}, what the project ships).
 */
public final class TrainedModel implements AutoCloseable {
    /** Name of the JSON description of an exported model. */
    public static final String MODEL_JSON = "model.json";
    /** Name of the weights of an exported model. */
    public static final String WEIGHTS = "ema.safetensors";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private final UNet network;
    private final DiffusionObjective.Config objective;
    private final long step;
    private final JsonObject description;
    private final NDManager manager;

    private TrainedModel(UNet network, DiffusionObjective.Config objective, long step, JsonObject description, NDManager manager) {
        this.network = network;
        this.objective = objective;
        this.step = step;
        this.description = description;
        this.manager = manager;
    }

    /**
     * Loads the EMA weights of a checkpoint directory ({@code step-…} with a {@code state.json}), or of
     * the newest valid checkpoint in a run folder.
     *
     * @throws IOException naming the path when there is no readable checkpoint
     */
    public static TrainedModel fromCheckpoint(Path path, NDManager parent) throws IOException {
        if (!Files.isDirectory(path)) {
            throw new IOException("checkpoint " + path + " does not exist or is not a folder");
        }
        NDManager m = parent.newSubManager();
        try {
            Checkpoint.Loaded c;
            if (Files.isRegularFile(path.resolve(Checkpoint.STATE_FILE))) {
                c = Checkpoint.read(path, m);
            } else {
                Optional<Checkpoint.Loaded> latest = Checkpoint.readLatest(path, m, w -> { });
                c = latest.orElseThrow(() -> new IOException("no checkpoint in " + path + " (expected a step-… folder with "
                        + Checkpoint.STATE_FILE + ", or " + MODEL_JSON + ")"));
            }
            try (c) {
                Map<String, NDArray> ema = c.groups().get("ema");
                if (ema == null) {
                    throw new IOException("checkpoint " + c.dir() + " has no ema.safetensors");
                }
                return build(c.state(), ema, c.step(), c.dir().toString(), m);
            }
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Loads an exported model from a folder holding {@link #MODEL_JSON} and {@link #WEIGHTS}. */
    public static TrainedModel fromExport(Path dir, NDManager parent) throws IOException {
        Path json = dir.resolve(MODEL_JSON);
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(json) || !Files.isRegularFile(weights)) {
            throw new IOException("model folder " + dir + " needs " + MODEL_JSON + " and " + WEIGHTS);
        }
        try (InputStream j = Files.newInputStream(json); InputStream w = Files.newInputStream(weights)) {
            return fromStreams(j, w, dir.toString(), parent);
        }
    }

    /** Loads a model from a checkpoint or from an exported model folder, whichever {@code path} is. */
    public static TrainedModel load(Path path, NDManager parent) throws IOException {
        return Files.isRegularFile(path.resolve(MODEL_JSON)) ? fromExport(path, parent) : fromCheckpoint(path, parent);
    }

    /** Loads an exported model from streams (e.g. classpath resources); {@code source} names it in errors. */
    public static TrainedModel fromStreams(InputStream json, InputStream weights, String source, NDManager parent) throws IOException {
        JsonObject state;
        try {
            state = JsonParser.parseString(new String(json.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException(source + "/" + MODEL_JSON + " is not valid JSON: " + e.getMessage(), e);
        }
        NDManager m = parent.newSubManager();
        Path tmp = Files.createTempFile("diffusion4j-weights", ".safetensors");
        try {
            Files.copy(weights, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Map<String, NDArray> tensors;
            try {
                tensors = Safetensors.read(tmp, m).tensors();
            } catch (IOException e) {
                throw new IOException(source + "/" + WEIGHTS + ": " + e.getMessage().replace(tmp.toString(), "the weights"), e);
            }
            long step = state.has("step") ? state.get("step").getAsLong() : -1;
            return build(state, tensors, step, source, m);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static TrainedModel build(JsonObject state, Map<String, NDArray> weights, long step, String source, NDManager m)
            throws IOException {
        if (!state.has("network") || !state.has("objective")) {
            throw new IOException(source + " does not describe its network and objective");
        }
        UNetConfig net;
        DiffusionObjective.Config objective;
        try {
            net = GSON.fromJson(state.get("network"), UNetConfig.class);
            objective = GSON.fromJson(state.get("objective"), DiffusionObjective.Config.class);
        } catch (RuntimeException e) {
            throw new IOException(source + " has an invalid network or objective description: " + e.getMessage(), e);
        }
        UNet unet = Params.create(new UNet(net), m, 0);
        Params.load(unet, weights, source);
        weights.values().forEach(NDArray::close);
        unet.freezeParameters(true);
        return new TrainedModel(unet, objective, step, state, m);
    }

    /**
     * Writes this model as {@link #MODEL_JSON} (network, objective, step, image shape, provenance) and
     * {@link #WEIGHTS} into {@code dir} (created if needed).
     */
    public void export(Path dir, JsonObject provenance) throws IOException {
        export(network, objective, step, imageShape(), provenance, dir);
    }

    /**
     * Writes any network's weights with its description as an exported model (each file under a
     * temporary name, then renamed).
     */
    public static void export(UNet network, DiffusionObjective.Config objective, long step, ai.djl.ndarray.types.Shape imageShape,
                              JsonObject provenance, Path dir) throws IOException {
        Files.createDirectories(dir);
        JsonObject out = new JsonObject();
        out.addProperty("format", "diffusion4j-model/1");
        out.add("network", GSON.toJsonTree(network.config()));
        out.add("objective", GSON.toJsonTree(objective));
        out.addProperty("step", step);
        out.add("image_shape", GSON.toJsonTree(imageShape.getShape()));
        out.add("provenance", provenance);
        TempPaths.replaceAtomically(dir.resolve(MODEL_JSON), tmp -> Files.writeString(tmp, GSON.toJson(out), StandardCharsets.UTF_8));
        TempPaths.replaceAtomically(dir.resolve(WEIGHTS), tmp -> Safetensors.write(tmp, Params.arrays(network), Map.of("format", "diffusion4j-model/1")));
    }

    /** The denoiser of this model (no guidance); parameters are read through {@code ps}. */
    public Denoiser denoiser(ParameterStore ps) {
        return new NetworkDenoiser(network.asNetwork(ps), objective.prediction());
    }

    /** The network (EMA weights, frozen). */
    public UNet network() {
        return network;
    }

    /** The noise process it was trained on. */
    public DiscreteVp schedule() {
        return new DiscreteVp(objective.schedule());
    }

    /** What the network predicts. */
    public Prediction prediction() {
        return objective.prediction();
    }

    /** Number of classes (0 for an unconditional model); label {@code numClasses} is the null label. */
    public int numClasses() {
        return network.config().numClasses();
    }

    /** Training steps behind these weights (−1 when unknown). */
    public long step() {
        return step;
    }

    /**
     * The (C, H, W) of the images it was trained on: the description's {@code image_shape}, or
     * (C, 28, 28) for descriptions written before that key existed (the Fashion-MNIST runs).
     */
    public ai.djl.ndarray.types.Shape imageShape() {
        if (description.has("image_shape")) {
            long[] dims = GSON.fromJson(description.get("image_shape"), long[].class);
            return new ai.djl.ndarray.types.Shape(dims);
        }
        return new ai.djl.ndarray.types.Shape(network.config().inChannels(), 28, 28);
    }

    /** Number of parameters. */
    public long parameterCount() {
        return Params.count(network);
    }

    /** The stored description (network, objective, training settings, provenance). */
    public JsonObject description() {
        return description.deepCopy();
    }

    @Override
    public void close() {
        manager.close();
    }
}
