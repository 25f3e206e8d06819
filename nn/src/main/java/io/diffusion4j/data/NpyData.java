package io.diffusion4j.data;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.io.Npy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A data set from NumPy {@code .npy} files (see {@link Npy}): samples as a float32 or float64 array of shape
 * (N, …) — (N, D) tabular, (N, C, H, W) images, used as they are (no rescaling) — and optionally labels as an
 * int32 or int64 array of shape (N,).
 */
public final class NpyData {
    private NpyData() {}

    /**
     * Loads samples and, when {@code labelFile} is not null, their labels.
     *
     * @param numClasses K ≥ 1, or 0 to take max(label) + 1; ignored without labels
     * @throws IOException naming the file when one is missing, corrupt or truncated, of the wrong type or
     *     shape, holds a non-finite value or a label outside [0, K), or when the label count differs
     */
    public static Samples load(NDManager manager, Path dataFile, Path labelFile, int numClasses) throws IOException {
        Npy.Array x = read(dataFile);
        if (x.floats() == null) {
            throw new IOException(dataFile + " holds integers; samples must be float32 or float64");
        }
        if (x.shape().length < 2 || x.shape()[0] < 1) {
            throw new IOException(dataFile + " has shape " + Arrays.toString(x.shape()) + "; samples must be (N, ...) with N >= 1, e.g. (N, D)");
        }
        int perSample = (int) (x.size() / x.shape()[0]);
        for (int i = 0; i < x.floats().length; i++) {
            if (!Float.isFinite(x.floats()[i])) {
                throw new IOException(dataFile + " holds " + x.floats()[i] + " in sample " + i / perSample + "; values must be finite");
            }
        }
        long[] labels = null;
        int k = 0;
        if (labelFile != null) {
            labels = labels(labelFile, x.shape()[0]);
            k = numClasses > 0 ? numClasses : (int) Arrays.stream(labels).max().orElse(0) + 1;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0 || labels[i] >= k) {
                    throw new IOException(labelFile + " has label " + labels[i] + " at index " + i + "; labels must be in [0, " + (k - 1) + "]");
                }
            }
        }
        return Samples.ofFloats(manager, x.floats(), new Shape(x.shape()), labels, k);
    }

    private static long[] labels(Path file, long n) throws IOException {
        Npy.Array l = read(file);
        if (l.longs() == null) {
            throw new IOException(file + " holds floats; labels must be int32 or int64");
        }
        if (l.shape().length != 1 || l.shape()[0] != n) {
            throw new IOException(file + " has shape " + Arrays.toString(l.shape()) + "; labels must have shape (" + n + ") to match the samples");
        }
        return l.longs();
    }

    private static Npy.Array read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " does not exist or is not a file");
        }
        return Npy.read(file);
    }
}
