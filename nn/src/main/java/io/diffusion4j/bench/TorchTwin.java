package io.diffusion4j.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs {@code bench/unet_torch.py}, the PyTorch twin of the default U-Net and trainer step, in a child
 * process. The script travels inside this jar (the nn build copies it next to this class) and is fed to
 * {@code python3 -} on standard input, so the benchmark works from any directory.
 */
final class TorchTwin {
    private static final String SCRIPT = "unet_torch.py";
    private static final long TIMEOUT_MINUTES = 10;

    private TorchTwin() {}

    /** Whether {@code python} exists and imports torch (answering within 30 s). */
    static boolean available(Path python) {
        if (!Files.isExecutable(python)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(python.toString(), "-c", "import torch").redirectErrorStream(true).start();
            p.getOutputStream().close();
            drain(p.getInputStream());
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs the script with {@code args} and returns its JSON lines by their {@code bench} key.
     *
     * @throws IllegalStateException when the script fails or prints no JSON, with its last stderr lines
     */
    static Map<String, JsonObject> run(Path python, List<String> args, Consumer<String> log) {
        List<String> cmd = new ArrayList<>();
        cmd.add(python.toString());
        cmd.add("-");
        cmd.addAll(args);
        log.accept("torch: " + String.join(" ", cmd));
        try {
            Process p = new ProcessBuilder(cmd).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(script());
            }
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errReader = new Thread(() -> copy(p.getErrorStream(), err), "torch-stderr");
            errReader.setDaemon(true);
            errReader.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("the PyTorch twin did not finish within " + TIMEOUT_MINUTES + " minutes");
            }
            errReader.join(5_000);
            Map<String, JsonObject> lines = new LinkedHashMap<>();
            for (String line : out.split("\n")) {
                if (line.startsWith("{")) {
                    JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                    JsonElement bench = o.get("bench");
                    if (bench != null) {
                        lines.put(bench.getAsString(), o);
                    }
                }
            }
            if (p.exitValue() != 0 || lines.isEmpty()) {
                throw new IllegalStateException("the PyTorch twin failed (exit " + p.exitValue() + "): "
                        + lastLines(err.toString(StandardCharsets.UTF_8), 3));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + python + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the PyTorch twin ran", e);
        }
    }

    /** The script's bytes (from this jar). */
    static byte[] script() throws IOException {
        try (InputStream s = TorchTwin.class.getResourceAsStream(SCRIPT)) {
            if (s == null) {
                throw new IOException(SCRIPT + " is not on the class path next to " + TorchTwin.class.getName()
                        + " (the nn build copies it from bench/)");
            }
            return s.readAllBytes();
        }
    }

    private static void copy(InputStream in, OutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private static void drain(InputStream in) throws IOException {
        in.transferTo(OutputStream.nullOutputStream());
    }

    private static String lastLines(String s, int n) {
        String[] lines = s.strip().split("\n");
        return String.join(" | ", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - n), lines.length));
    }
}
