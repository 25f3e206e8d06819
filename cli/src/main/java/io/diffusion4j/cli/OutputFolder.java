package io.diffusion4j.cli;

import io.diffusion4j.io.TempPaths;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An output folder checked before any work starts and written as a whole: its files go into a temporary
 * sibling folder that is renamed into place at the end, so a failed command leaves nothing and an
 * existing folder is replaced only with {@code --force} (the folder form of {@link OutputFile}).
 */
final class OutputFolder {
    private final Path target;

    private OutputFolder(Path target) {
        this.target = target;
    }

    /** Checks that {@code path} can be written: its parent exists and is writable; no replacement without force. */
    static OutputFolder check(Path path, boolean force, String option) {
        Path abs = path.toAbsolutePath().normalize();
        if (Files.exists(abs) && !force) {
            throw new Errors.UsageException(option + " " + path + " exists; add --force to replace it");
        }
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new Errors.UsageException(option + " " + path + " is a file; give a folder name");
        }
        Path parent = abs.getParent();
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            throw new Errors.RunFailure(option + " " + path + ": folder " + parent + " does not exist or is not writable");
        }
        return new OutputFolder(abs);
    }

    Path path() {
        return target;
    }

    /** Fills a temporary folder through {@code writer}, then moves it into place (replacing an old one). */
    void write(OutputFile.IoConsumer<Path> writer) throws IOException {
        Path tmp = TempPaths.newDirectory(target.getParent(), "." + target.getFileName() + ".part");
        try {
            writer.accept(tmp);
            if (Files.exists(target)) {
                deleteTree(target);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
        } finally {
            deleteTree(tmp);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
