package io.diffusion4j.cli;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.train.TrainedModel;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code --checkpoint}: a training checkpoint, a run folder or an exported model; the bundled model by default. */
final class ModelOption {
    /** Classpath folder of the bundled model (model.json + ema.safetensors). */
    static final String BUNDLE = "/io/diffusion4j/cli/model/";

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "A checkpoint folder (step-…), a training run folder (its newest valid checkpoint) or an exported "
                    + "model folder (model.json + ema.safetensors). Default: the bundled Fashion-MNIST model.")
    Path checkpoint;

    /** The option as if given on the command line with {@code dir} (a command whose --checkpoint is required). */
    static ModelOption of(Path dir) {
        ModelOption o = new ModelOption();
        o.checkpoint = dir;
        return o;
    }

    /** Checks the path before any engine work. */
    void validate() {
        if (checkpoint != null && !Files.isDirectory(checkpoint)) {
            throw new Errors.RunFailure("--checkpoint " + checkpoint + " does not exist or is not a folder; give a checkpoint, run or model folder");
        }
        if (checkpoint == null && ModelOption.class.getResource(BUNDLE + TrainedModel.MODEL_JSON) == null) {
            throw new Errors.RunFailure("this build has no bundled model yet; pass --checkpoint DIR (a model trained with 'train')");
        }
    }

    /**
     * The model's class count from its JSON description alone (no engine), so class arguments can be
     * checked before anything loads.
     */
    int peekNumClasses() {
        try {
            String json;
            if (checkpoint == null) {
                try (InputStream in = ModelOption.class.getResourceAsStream(BUNDLE + TrainedModel.MODEL_JSON)) {
                    json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
            } else {
                json = Files.readString(describingFile());
            }
            com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(json).getAsJsonObject();
            return o.getAsJsonObject("network").get("numClasses").getAsInt();
        } catch (IOException | RuntimeException e) {
            throw new Errors.RunFailure("cannot read the description of " + describe() + ": " + e.getMessage());
        }
    }

    /** model.json, state.json, or the newest step-…/state.json of a run folder. */
    private Path describingFile() throws IOException {
        for (String name : new String[] {TrainedModel.MODEL_JSON, io.diffusion4j.train.Checkpoint.STATE_FILE}) {
            if (Files.isRegularFile(checkpoint.resolve(name))) {
                return checkpoint.resolve(name);
            }
        }
        for (Path dir : io.diffusion4j.train.Checkpoint.list(checkpoint)) {
            Path state = dir.resolve(io.diffusion4j.train.Checkpoint.STATE_FILE);
            if (Files.isRegularFile(state)) {
                return state;
            }
        }
        throw new IOException("no checkpoint in " + checkpoint + " (expected a step-… folder, state.json or model.json)");
    }

    /** Loads the model; a corrupt or missing file is a run-time failure naming it. */
    TrainedModel load(NDManager manager) {
        try {
            if (checkpoint != null) {
                return TrainedModel.load(checkpoint, manager);
            }
            try (InputStream json = ModelOption.class.getResourceAsStream(BUNDLE + TrainedModel.MODEL_JSON);
                 InputStream weights = ModelOption.class.getResourceAsStream(BUNDLE + TrainedModel.WEIGHTS)) {
                if (json == null || weights == null) {
                    throw new Errors.RunFailure("the bundled model is incomplete in this build; pass --checkpoint DIR");
                }
                return TrainedModel.fromStreams(json, weights, "bundled model", manager);
            }
        } catch (IOException e) {
            throw new Errors.RunFailure(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new Errors.RunFailure("cannot load " + (checkpoint == null ? "the bundled model" : checkpoint) + ": " + e.getMessage());
        }
    }

    /** How the model is named in messages. */
    String describe() {
        return checkpoint == null ? "bundled model" : checkpoint.toString();
    }
}
