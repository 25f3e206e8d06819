package io.diffusion4j.train;

import com.google.gson.JsonObject;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends one JSON object per step to a file ({@code step, loss, lr, grad_norm, img_per_s, skipped});
 * a resumed run keeps appending, so after a resume a step may appear twice (the later line wins).
 */
public final class MetricsLog implements AutoCloseable {
    private final BufferedWriter out;

    /** Opens {@code file} for appending (creating it and its directory). */
    public MetricsLog(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Writes one step's line. */
    public void log(Trainer.StepResult r, double imagesPerSecond) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("step", r.step());
        o.addProperty("loss", finiteOrNull(r.loss()));
        o.addProperty("lr", r.lr());
        o.addProperty("grad_norm", finiteOrNull(r.gradNorm()));
        o.addProperty("img_per_s", Math.round(imagesPerSecond * 100) / 100.0);
        o.addProperty("skipped", r.skipped());
        out.write(o.toString());
        out.newLine();
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** Pushes buffered lines to the file. */
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
