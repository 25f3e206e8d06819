package io.diffusion4j.io;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Temporary files and folders beside their final place, for writes that end in a rename. Unlike
 * {@link Files#createTempFile(Path, String, String)}, which makes them private (0600, folders 0700),
 * these get the permissions of any new file under the process's umask, so what is renamed into place
 * (a checkpoint, an exported model, a sample folder) is as readable as if it had been written directly.
 */
public final class TempPaths {
    /** Name collisions are retried; this many in a row means something else is wrong. */
    private static final int ATTEMPTS = 100;

    private TempPaths() {}

    /** Creates an empty file {@code dir/prefix<random>suffix} that did not exist before. */
    public static Path newFile(Path dir, String prefix, String suffix) throws IOException {
        for (int attempt = 1; ; attempt++) {
            Path p = dir.resolve(prefix + randomPart() + suffix);
            try {
                Files.newByteChannel(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return p;
            } catch (FileAlreadyExistsException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Creates an empty folder {@code dir/prefix<random>} that did not exist before. */
    public static Path newDirectory(Path dir, String prefix) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return Files.createDirectory(dir.resolve(prefix + randomPart()));
            } catch (FileAlreadyExistsException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Writes one file's content to the path it is given. */
    @FunctionalInterface
    public interface Writer {
        void write(Path tmp) throws IOException;
    }

    /**
     * Writes {@code file} through {@code writer} into a temporary sibling ({@link #newFile}), then renames it
     * over {@code file} atomically, so a reader sees the old file or the whole new one; the temporary file
     * is removed if anything fails. The parent folder must exist.
     */
    public static void replaceAtomically(Path file, Writer writer) throws IOException {
        Path tmp = newFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
        try {
            writer.write(tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String randomPart() {
        return Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
    }
}
