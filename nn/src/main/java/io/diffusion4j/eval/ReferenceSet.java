package io.diffusion4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.data.FashionMnist;
import io.diffusion4j.data.LabeledImages;
import io.diffusion4j.nn.SeedMix;
import io.diffusion4j.util.Check;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Real-data features that a score is measured against, and the floor is measured with:
 * <ul>
 *   <li>{@code testStatistics}: mean and unbiased covariance of the features of all 10,000 Fashion-MNIST
 *       test images (what FD compares with);</li>
 *   <li>{@code testFeatures}: the features of the first m test images of a seeded permutation (KID and
 *       precision/recall compare with an equal-size real sample);</li>
 *   <li>{@code trainFeatures}: the first m training images of another seeded permutation (the floor:
 *       real images the classifier was trained on, scored exactly as samples are).</li>
 * </ul>
 * The shipped set ({@link #shipped}) holds m = {@link ClassifierManifest#referenceSize()} rows of each,
 * float32 on disk (the network's own precision; mean and covariance are rounded to float32 too, a
 * relative change below 1e-7), so the evaluator needs no data set up to that size; larger sets are
 * computed from the installed data set with the same permutations ({@link #fromDataset}).
 *
 * @param testStatistics Gaussian of the 10,000 test features
 * @param trainFeatures m training-image features
 * @param testFeatures m test-image features
 * @param testAccuracy the classifier's accuracy on the 10,000 test images
 * @param source where the features came from, for reports
 */
public record ReferenceSet(Gaussian testStatistics, double[][] trainFeatures, double[][] testFeatures, double testAccuracy,
                           String source) {
    /** Seed of the shipped subsets. */
    public static final long SUBSET_SEED = 20_240_605L;

    public ReferenceSet {
        Check.notNull(testStatistics, "testStatistics");
        if (trainFeatures.length != testFeatures.length) {
            throw new IllegalArgumentException("reference train and test subsets differ in size: " + trainFeatures.length + " vs "
                    + testFeatures.length);
        }
    }

    /** Rows of each subset. */
    public int size() {
        return trainFeatures.length;
    }

    /** The same set restricted to the first m rows of each subset. */
    public ReferenceSet head(int m) {
        Check.inRange(m, 1, size(), "reference size");
        return new ReferenceSet(testStatistics, Arrays.copyOf(trainFeatures, m), Arrays.copyOf(testFeatures, m), testAccuracy, source);
    }

    /** The reference set that ships with {@code extractor}'s classifier (checksum verified). */
    public static ReferenceSet shipped(FeatureExtractor extractor) throws IOException {
        ClassifierManifest m = extractor.manifest();
        if (m == null) {
            throw new IllegalArgumentException("this classifier was not loaded from shipped files, so it has no shipped reference set");
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> t = extractor.files().readTensors(m.referenceFile(), m.referenceSha256(), manager);
            String where = extractor.files().describe(m.referenceFile());
            double[] mean = vector(require(t, "test.mean", where));
            double[][] cov = matrix(require(t, "test.cov", where));
            double[][] train = matrix(require(t, "train.features", where));
            double[][] test = matrix(require(t, "test.features", where));
            if (cov.length != mean.length || train[0].length != mean.length || test[0].length != mean.length) {
                throw new IOException(where + " has inconsistent feature widths");
            }
            return new ReferenceSet(new Gaussian(mean, cov, 10_000), train, test, m.testAccuracy(), where);
        }
    }

    /**
     * Computes the reference set from the Fashion-MNIST files in {@code dataDir}: statistics of all test
     * images, and m rows of each permuted subset.
     *
     * @param m subset size, at most 10,000 (the test set)
     * @param seed permutation seed ({@link #SUBSET_SEED} for the shipped set)
     */
    public static ReferenceSet fromDataset(FeatureExtractor extractor, Path dataDir, int m, long seed) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
             LabeledImages train = FashionMnist.load(manager, dataDir, true);
             LabeledImages test = FashionMnist.load(manager, dataDir, false)) {
            Check.inRange(m, 1, (int) test.size(), "reference size");
            long[] all = new long[(int) test.size()];
            Arrays.setAll(all, i -> i);
            Embedding testAll = extractor.embed(pixels(test, all, manager), all.length);
            double acc = testAll.accuracy(test.labels(manager, all).toLongArray());
            int[] testIdx = subset(all.length, m, SeedMix.derive(seed, 1));
            double[][] testFeatures = new double[m][];
            for (int i = 0; i < m; i++) {
                testFeatures[i] = testAll.features()[testIdx[i]];
            }
            long[] trainIdx = Arrays.stream(subset((int) train.size(), m, SeedMix.derive(seed, 0))).asLongStream().toArray();
            Embedding trainPart = extractor.embed(pixels(train, trainIdx, manager), m);
            return new ReferenceSet(Gaussian.fit(testAll.features()), trainPart.features(), testFeatures, acc, dataDir.toString());
        }
    }

    /** The first m entries of a Fisher–Yates permutation of 0 … size−1 drawn from the counter stream {@code seed}. */
    public static int[] subset(int size, int m, long seed) {
        Check.inRange(m, 0, size, "subset size");
        int[] p = new int[size];
        Arrays.setAll(p, i -> i);
        for (int i = 0; i < m; i++) {
            int j = i + SeedMix.uniformInt(seed, i, size - i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return Arrays.copyOf(p, m);
    }

    /** The set as float32 tensors under the shipped keys, owned by {@code manager}. */
    public Map<String, NDArray> toTensors(NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        int d = testStatistics.dim();
        out.put("test.mean", manager.create(toFloat(new double[][] {testStatistics.mean()}), new Shape(d)));
        out.put("test.cov", manager.create(toFloat(testStatistics.covariance()), new Shape(d, d)));
        out.put("train.features", manager.create(toFloat(trainFeatures), new Shape(size(), d)));
        out.put("test.features", manager.create(toFloat(testFeatures), new Shape(size(), d)));
        return out;
    }

    private static float[] pixels(LabeledImages set, long[] idx, NDManager manager) {
        try (NDManager sub = manager.newSubManager()) {
            return set.images(sub, idx).toFloatArray();
        }
    }

    private static NDArray require(Map<String, NDArray> t, String key, String where) throws IOException {
        NDArray a = t.get(key);
        if (a == null) {
            throw new IOException(where + " has no tensor " + key);
        }
        return a;
    }

    private static double[] vector(NDArray a) {
        float[] f = a.toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    private static double[][] matrix(NDArray a) {
        int rows = (int) a.getShape().get(0);
        int cols = (int) a.getShape().get(1);
        float[] f = a.toFloatArray();
        double[][] out = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i][j] = f[i * cols + j];
            }
        }
        return out;
    }

    private static float[] toFloat(double[][] rows) {
        int w = rows[0].length;
        float[] out = new float[rows.length * w];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < w; j++) {
                out[i * w + j] = (float) rows[i][j];
            }
        }
        return out;
    }
}
