package io.diffusion4j.cli;

import io.diffusion4j.io.TempPaths;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * An output path checked before any work starts and written atomically: a temporary file beside the
 * target, renamed into place, so a failed command leaves no partial file and an existing file is
 * replaced only with {@code --force}.
 */
final class OutputFile {
    private final Path target;

    private OutputFile(Path target) {
        this.target = target;
    }

    /** Checks that {@code path} can be written (parent exists and is writable; no overwrite without force). */
    static OutputFile check(Path path, boolean force, String option) {
        Path abs = path.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new Errors.UsageException(option + " " + path + " is a directory; give a file name");
        }
        if (Files.exists(abs) && !force) {
            throw new Errors.UsageException(option + " " + path + " exists; add --force to overwrite it");
        }
        Path parent = abs.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new Errors.RunFailure(option + " " + path + ": folder " + parent + " does not exist; create it first");
        }
        if (!Files.isWritable(parent)) {
            throw new Errors.RunFailure(option + " " + path + ": folder " + parent + " is not writable; choose a writable folder");
        }
        return new OutputFile(abs);
    }

    Path path() {
        return target;
    }

    /** Writes through {@code writer} into a temporary sibling and renames it over the target. */
    void write(IoConsumer<Path> writer) {
        Path tmp = null;
        try {
            tmp = TempPaths.newFile(target.getParent(), "." + target.getFileName(), ".part");
            writer.accept(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new Errors.RunFailure("cannot write " + target + ": " + e.getMessage() + "; check the folder's permissions and free space");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the rename already happened or the folder vanished; nothing more to clean
                }
            }
        }
    }

    /** A writer that may throw IOException. */
    @FunctionalInterface
    interface IoConsumer<T> {
        void accept(T t) throws IOException;
    }
}
