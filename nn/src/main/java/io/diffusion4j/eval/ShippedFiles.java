package io.diffusion4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.io.Safetensors;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Where the evaluator's shipped files come from: the classpath (package {@code io/diffusion4j/eval} of
 * the nn jar) or a directory holding the same file names (a re-trained classifier, or a test's copy).
 * Every binary file is checked against the SHA-256 recorded in the manifest before it is parsed.
 */
abstract class ShippedFiles {
    /** The raw bytes of {@code name}; an IOException names the missing file. */
    abstract byte[] read(String name) throws IOException;

    /** How to name {@code name} in messages. */
    abstract String describe(String name);

    /** The files on the classpath next to this class. */
    static ShippedFiles classpath() {
        return new ShippedFiles() {
            @Override
            byte[] read(String name) throws IOException {
                try (InputStream in = ShippedFiles.class.getResourceAsStream(name)) {
                    if (in == null) {
                        throw new IOException("resource " + describe(name) + " is missing from the classpath");
                    }
                    return in.readAllBytes();
                }
            }

            @Override
            String describe(String name) {
                return "classpath:io/diffusion4j/eval/" + name;
            }
        };
    }

    /** The files in {@code dir}. */
    static ShippedFiles directory(Path dir) {
        return new ShippedFiles() {
            @Override
            byte[] read(String name) throws IOException {
                Path p = dir.resolve(name);
                if (!Files.isRegularFile(p)) {
                    throw new IOException(p + " does not exist or is not a file");
                }
                return Files.readAllBytes(p);
            }

            @Override
            String describe(String name) {
                return dir.resolve(name).toString();
            }
        };
    }

    /** The bytes of {@code name} after checking their SHA-256 against {@code expected} (hex). */
    byte[] readVerified(String name, String expected) throws IOException {
        byte[] bytes = read(name);
        String actual = sha256(bytes);
        if (!actual.equalsIgnoreCase(expected)) {
            throw new IOException(describe(name) + " is corrupt: its SHA-256 is " + actual + ", the manifest expects " + expected
                    + "; restore the file from the repository or re-create it with io.diffusion4j.eval.TrainClassifier");
        }
        return bytes;
    }

    /**
     * The tensors of a verified safetensors file (parsed through a temporary file), owned by {@code manager};
     * a name ending in {@code .gz} is gunzipped after the check (the checksum is of the stored bytes).
     */
    Map<String, NDArray> readTensors(String name, String expectedSha256, NDManager manager) throws IOException {
        byte[] bytes = readVerified(name, expectedSha256);
        if (name.endsWith(".gz")) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new IOException(describe(name) + " is not a valid gzip file: " + e.getMessage(), e);
            }
        }
        Path tmp = Files.createTempFile("diffusion4j-", ".safetensors");
        try {
            Files.write(tmp, bytes);
            return Safetensors.read(tmp, manager).tensors();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
