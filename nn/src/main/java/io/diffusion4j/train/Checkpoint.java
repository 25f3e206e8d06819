package io.diffusion4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.diffusion4j.io.Safetensors;
import io.diffusion4j.io.TempPaths;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Training checkpoints: a directory {@code step-00001234/} under a run directory holding one
 * safetensors file per tensor group ({@code model}, {@code ema}, {@code adam_m}, {@code adam_v}, each
 * keyed by the stable parameter names) and {@code state.json} (step, configuration, seeds, SHA-256 of
 * every file). A checkpoint is written in full into a hidden temporary directory, forced to disk and
 * then renamed in one atomic step, so a crash at any moment leaves either the complete new checkpoint
 * or none; older ones are pruned to the last K afterwards.
 */
public final class Checkpoint {
    /** Name of the state file inside a checkpoint directory. */
    public static final String STATE_FILE = "state.json";
    /** Format tag written to and required in state.json. */
    public static final String FORMAT = "diffusion4j-checkpoint/1";
    private static final Pattern NAME = Pattern.compile("step-(\\d{8,})");
    private static final String TMP_PREFIX = ".tmp-";

    /** Called before each file of a checkpoint is written (tests inject failures here). */
    @FunctionalInterface
    interface WriteHook {
        void beforeFile(String name) throws IOException;
    }

    /**
     * A checkpoint read back.
     *
     * @param dir its directory
     * @param step the number of completed steps
     * @param state the whole state.json
     * @param groups tensors by group, then by parameter key
     */
    public record Loaded(Path dir, long step, JsonObject state, Map<String, Map<String, NDArray>> groups) implements AutoCloseable {
        @Override
        public void close() {
            groups.values().forEach(g -> g.values().forEach(NDArray::close));
        }
    }

    private Checkpoint() {}

    /** The directory name of the checkpoint after {@code step} steps. */
    public static String dirName(long step) {
        return String.format("step-%08d", step);
    }

    /**
     * Writes a checkpoint atomically and keeps the newest {@code keep} ones.
     *
     * @param root the run directory (created if needed)
     * @param step completed steps
     * @param groups tensor groups by name (file {@code <name>.safetensors})
     * @param state extra state; {@code format}, {@code step} and {@code files} are added
     * @param keep how many checkpoints to keep (≥ 1)
     * @return the new checkpoint directory
     */
    public static Path write(Path root, long step, Map<String, Map<String, NDArray>> groups, JsonObject state, int keep)
            throws IOException {
        return write(root, step, groups, state, keep, name -> { });
    }

    static Path write(Path root, long step, Map<String, Map<String, NDArray>> groups, JsonObject state, int keep,
                      WriteHook hook) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        Files.createDirectories(root);
        Path finalDir = root.resolve(dirName(step));
        Path tmp = TempPaths.newDirectory(root, TMP_PREFIX + dirName(step) + "-");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: keep the default permissions
        }
        boolean done = false;
        try {
            JsonObject files = new JsonObject();
            for (Map.Entry<String, Map<String, NDArray>> g : groups.entrySet()) {
                String file = g.getKey() + ".safetensors";
                hook.beforeFile(file);
                Path p = tmp.resolve(file);
                Safetensors.write(p, g.getValue(), new java.util.TreeMap<>(Map.of("format", FORMAT, "group", g.getKey(), "step", Long.toString(step))));
                files.addProperty(file, sha256(p));
            }
            JsonObject s = state.deepCopy();
            s.addProperty("format", FORMAT);
            s.addProperty("step", step);
            s.add("files", files);
            hook.beforeFile(STATE_FILE);
            Path statePath = tmp.resolve(STATE_FILE);
            Files.writeString(statePath, new GsonBuilder().setPrettyPrinting().create().toJson(s), StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(statePath, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            if (Files.exists(finalDir)) {
                deleteTree(finalDir);
            }
            Files.move(tmp, finalDir, StandardCopyOption.ATOMIC_MOVE);
            done = true;
            syncDirectory(root);
        } finally {
            if (!done) {
                deleteTree(tmp);
            }
        }
        prune(root, keep);
        return finalDir;
    }

    /** Forces a directory entry change (the rename) to disk where the platform allows opening directories. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort: not every platform can open a directory as a channel
        }
    }

    /** Reads and verifies one checkpoint directory; tensors are owned by {@code manager}. */
    public static Loaded read(Path dir, NDManager manager) throws IOException {
        Path statePath = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(statePath)) {
            throw new IOException("checkpoint " + dir + " is incomplete: no " + STATE_FILE);
        }
        JsonObject state;
        try {
            state = JsonParser.parseString(Files.readString(statePath, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException("checkpoint " + statePath + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!state.has("format") || !FORMAT.equals(state.get("format").getAsString())) {
            throw new IOException("checkpoint " + statePath + " has format " + state.get("format") + ", expected " + FORMAT);
        }
        if (!state.has("files") || !state.has("step")) {
            throw new IOException("checkpoint " + statePath + " lacks 'files' or 'step'");
        }
        Map<String, Map<String, NDArray>> groups = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonElement> f : state.getAsJsonObject("files").entrySet()) {
                Path p = dir.resolve(f.getKey());
                if (!Files.isRegularFile(p)) {
                    throw new IOException("checkpoint file " + p + " is missing");
                }
                String actual = sha256(p);
                if (!actual.equals(f.getValue().getAsString())) {
                    throw new IOException("checkpoint file " + p + " is corrupt: SHA-256 " + actual + " differs from the "
                            + f.getValue().getAsString() + " recorded in " + STATE_FILE);
                }
                String group = f.getKey().replaceFirst("\\.safetensors$", "");
                groups.put(group, Safetensors.read(p, manager).tensors());
            }
        } catch (IOException | RuntimeException e) {
            groups.values().forEach(g -> g.values().forEach(NDArray::close));
            throw e;
        }
        return new Loaded(dir, state.get("step").getAsLong(), state, groups);
    }

    /**
     * The newest checkpoint under {@code root} that reads and verifies; newer broken ones are reported
     * to {@code warn} and skipped. Empty when there is none.
     */
    public static Optional<Loaded> readLatest(Path root, NDManager manager, Consumer<String> warn) throws IOException {
        for (Path dir : list(root)) {
            try {
                return Optional.of(read(dir, manager));
            } catch (IOException e) {
                warn.accept("skipping checkpoint " + dir.getFileName() + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Checkpoint directories under root, newest first. */
    public static List<Path> list(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                if (Files.isDirectory(p) && NAME.matcher(p.getFileName().toString()).matches()) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparingLong(Checkpoint::stepOf).reversed());
        return out;
    }

    private static long stepOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private static void prune(Path root, int keep) throws IOException {
        List<Path> all = list(root);
        for (int i = keep; i < all.size(); i++) {
            deleteTree(all.get(i));
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, TMP_PREFIX + "*")) {
            for (Path p : ds) {
                deleteTree(p);
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    private static String sha256(Path p) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(p), MessageDigest.getInstance("SHA-256"))) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // digesting
            }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
