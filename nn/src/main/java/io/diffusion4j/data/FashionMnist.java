package io.diffusion4j.data;

import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017): 60,000 training and 10,000 test images of 28×28
 * grey garments in 10 classes, read from the four IDX files (gzipped or not) of a directory, by
 * default that of the Debian package {@code dataset-fashion-mnist}.
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} installs the files. */
    public static final Path DEBIAN_DIR = Paths.get("/usr/share/datasets/fashion-mnist");
    /** Class names, index = label. */
    public static final String[] CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
        "Sneaker", "Bag", "Ankle boot"};

    private FashionMnist() {}

    /**
     * Loads the training split ({@code train-*}) or the test split ({@code t10k-*}) from {@code dir}.
     *
     * @throws IOException naming the file when one is missing, corrupt or truncated, or when images
     *     and labels disagree
     */
    public static LabeledImages load(NDManager manager, Path dir, boolean train) throws IOException {
        String prefix = train ? "train" : "t10k";
        Path imageFile = find(dir, prefix + "-images-idx3-ubyte");
        Path labelFile = find(dir, prefix + "-labels-idx1-ubyte");
        Idx.Tensor images = Idx.read(imageFile, 3);
        Idx.Tensor labels = Idx.read(labelFile, 1);
        int n = images.dims()[0];
        if (labels.dims()[0] != n) {
            throw new IOException(labelFile + " holds " + labels.dims()[0] + " labels but " + imageFile + " holds " + n + " images");
        }
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            l[i] = labels.data()[i] & 0xFF;
            if (l[i] >= CLASSES.length) {
                throw new IOException(labelFile + " has label " + l[i] + " at index " + i + "; labels must be in [0, 9]");
            }
        }
        return new LabeledImages(manager, images.data(), l, 1, images.dims()[1], images.dims()[2], CLASSES.length);
    }

    private static Path find(Path dir, String name) throws IOException {
        for (String candidate : new String[] {name + ".gz", name}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException("no " + name + "[.gz] in " + dir + (dir.equals(DEBIAN_DIR)
                ? " (install the Debian package dataset-fashion-mnist)" : ""));
    }
}
