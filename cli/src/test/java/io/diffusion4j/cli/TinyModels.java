package io.diffusion4j.cli;

import java.io.IOException;
import java.nio.file.Path;

/** Tiny untrained models for tests outside this package. */
public final class TinyModels {
    private TinyModels() {}

    /** A tiny class-conditional U-Net with {@code classes} classes, exported to {@code dir}. */
    public static Path conditional(Path dir, int classes) throws IOException {
        return CliRun.tinyModel(dir, classes);
    }
}
