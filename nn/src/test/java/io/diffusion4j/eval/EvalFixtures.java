package io.diffusion4j.eval;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.data.FashionMnist;
import io.diffusion4j.data.LabeledImages;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Shared inputs of the evaluator tests: the shipped 200 test images and synthetic images. */
final class EvalFixtures {
    private EvalFixtures() {}

    /** The first 200 Fashion-MNIST test images, shipped as a test resource (no installed data set needed). */
    record Real(float[] pixels, long[] labels) {
        int n() {
            return labels.length;
        }
    }

    static Real first200() throws IOException {
        Path dir;
        try {
            dir = Path.of(EvalFixtures.class.getResource("fmnist-t200").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        try (NDManager m = NDManager.newBaseManager(); LabeledImages t = FashionMnist.load(m, dir, false)) {
            long[] idx = new long[(int) t.size()];
            Arrays.setAll(idx, i -> i);
            return new Real(t.images(m, idx).toFloatArray(), t.labels(m, idx).toLongArray());
        }
    }

    /** n synthetic "garments": bright random rectangles on the black background, in [−1, 1]. */
    static float[] rectangles(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] px = new float[n * 784];
        Arrays.fill(px, -1f);
        for (int i = 0; i < n; i++) {
            int x0 = r.nextInt(2, 12);
            int y0 = r.nextInt(2, 12);
            int x1 = r.nextInt(x0 + 4, 27);
            int y1 = r.nextInt(y0 + 4, 27);
            float v = (float) r.nextDouble(0, 1);
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    px[i * 784 + y * 28 + x] = v;
                }
            }
        }
        return px;
    }

    static void writeNpy(Path file, float[] data, long... shape) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            io.diffusion4j.io.Npy.writeFloat32(out, data, shape);
        }
    }

    static void writeLabels(Path file, long[] labels) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            io.diffusion4j.io.Npy.writeInt64(out, labels, labels.length);
        }
    }

    /** A reference set whose test and train subsets both are {@code features} (a set compared with itself). */
    static ReferenceSet selfReference(double[][] features, double testAccuracy) {
        return new ReferenceSet(Gaussian.fit(features), features, features, testAccuracy, "the set itself");
    }
}
