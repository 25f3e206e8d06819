package io.diffusion4j.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.diffusion4j.io.TempPaths;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends one JSON object per step to a file ({@code step, loss, lr, grad_norm, img_per_s, skipped}).
 * {@link #openAt} continues a log where a run's checkpoint is: the lines of steps after it (written
 * before a crash, and done again by the resumed run) and a partial last line are dropped first, so the
 * file stays one valid JSON object per line with each step once.
 */
public final class MetricsLog implements AutoCloseable {
    private final BufferedWriter out;

    /**
     * Opens {@code file} for a run that continues after step {@code step} (0 for a fresh run): keeps the
     * complete lines of steps 1 … {@code step} (rewritten through a temporary file and a rename), then appends.
     */
    public static MetricsLog openAt(Path file, long step) throws IOException {
        if (Files.exists(file)) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                Long s = stepOf(line);
                if (s != null && s <= step) {
                    kept.add(line);
                }
            }
            TempPaths.replaceAtomically(file, tmp -> Files.write(tmp, kept, StandardCharsets.UTF_8));
        }
        return new MetricsLog(file);
    }

    /** The step of a complete log line, or null for a partial or foreign line. */
    private static Long stepOf(String line) {
        try {
            JsonElement e = JsonParser.parseString(line);
            JsonElement step = e.isJsonObject() ? e.getAsJsonObject().get("step") : null;
            return step != null && step.isJsonPrimitive() && step.getAsJsonPrimitive().isNumber() ? step.getAsLong() : null;
        } catch (JsonParseException | NumberFormatException | IllegalStateException e) {
            return null;
        }
    }

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
