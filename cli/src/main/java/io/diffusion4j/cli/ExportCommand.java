package io.diffusion4j.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import io.diffusion4j.train.TrainedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Writes the EMA weights of a checkpoint as a model folder ({@code model.json} + {@code ema.safetensors}),
 * the form {@code --checkpoint} and the bundled model use: no optimizer state, a fraction of the size.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a checkpoint's EMA weights as a model folder (model.json + ema.safetensors) for sharing or bundling.")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
            description = "A checkpoint folder (step-…) or a training run folder (its newest valid checkpoint).")
    Path checkpoint;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (must not exist, or use --force).")
    Path out;

    @Option(names = "--force", description = "Replace an existing output folder.")
    boolean force;

    @Mixin
    Console console;

    @Override
    public Integer call() throws Exception {
        ModelOption model = ModelOption.of(checkpoint);
        model.validate();
        OutputFolder target = OutputFolder.check(out, force, "--out");
        try (NDManager manager = NDManager.newBaseManager(); TrainedModel m = model.load(manager)) {
            JsonObject provenance = new JsonObject();
            // the path as given (no machine-specific absolute prefix): the folder is meant to be shared or bundled
            provenance.addProperty("exported_from", checkpoint.normalize().toString());
            provenance.addProperty("exported_at", Instant.now().toString());
            provenance.addProperty("weights", "EMA");
            target.write(tmp -> m.export(tmp, provenance));
            long bytes = Files.size(target.path().resolve(TrainedModel.WEIGHTS));
            console.out().printf(Locale.ROOT, "wrote %s (step %,d, %,d parameters, %.1f MB of weights)%n", target.path(), m.step(),
                    m.parameterCount(), bytes / 1e6);
        }
        return 0;
    }
}
