package io.diffusion4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.diffusion4j.nn.Params;
import io.diffusion4j.util.Check;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The classifier applied to image sets: batched, without dropout or gradients, float32 in the
 * network and float64 out. {@link #shipped()} loads the classifier that ships with the project and
 * checks its SHA-256 first; the expected preprocessing is {@link ClassifierManifest#PREPROCESSING}.
 */
public final class FeatureExtractor implements AutoCloseable {
    /** Images per network call. */
    public static final int BATCH = 500;
    private final NDManager manager;
    private final boolean ownsManager;
    private final Classifier classifier;
    private final ParameterStore ps;
    private final ClassifierManifest manifest;
    private final ShippedFiles files;

    private FeatureExtractor(NDManager manager, boolean ownsManager, Classifier classifier, ClassifierManifest manifest, ShippedFiles files) {
        this.manager = manager;
        this.ownsManager = ownsManager;
        this.classifier = classifier;
        this.ps = new ParameterStore(manager, false);
        this.manifest = manifest;
        this.files = files;
    }

    /** The classifier shipped in the nn jar (checksum verified). */
    public static FeatureExtractor shipped() throws IOException {
        return load(ShippedFiles.classpath());
    }

    /**
     * A classifier stored in {@code dir} under the shipped file names ({@link ClassifierManifest#FILE} and the
     * files it lists), e.g. one re-created with {@link TrainClassifier}.
     */
    public static FeatureExtractor fromDirectory(Path dir) throws IOException {
        return load(ShippedFiles.directory(dir));
    }

    static FeatureExtractor load(ShippedFiles files) throws IOException {
        String json = new String(files.read(ClassifierManifest.FILE), StandardCharsets.UTF_8);
        ClassifierManifest manifest = ClassifierManifest.fromJson(json, files.describe(ClassifierManifest.FILE));
        NDManager manager = NDManager.newBaseManager();
        try {
            Classifier c = Params.create(new Classifier(manifest.config()), manager, 0);
            Map<String, NDArray> weights = files.readTensors(manifest.weightsFile(), manifest.weightsSha256(), manager);
            try {
                Params.load(c, weights, files.describe(manifest.weightsFile()));
            } finally {
                weights.values().forEach(NDArray::close);
            }
            c.freezeParameters(true);
            return new FeatureExtractor(manager, true, c, manifest, files);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Wraps an in-memory classifier (e.g. one being trained) whose parameters live on {@code manager};
     * it has no manifest and the caller keeps ownership.
     */
    public static FeatureExtractor of(Classifier classifier, NDManager manager) {
        return new FeatureExtractor(Check.notNull(manager, "manager"), false, Check.notNull(classifier, "classifier"), null, null);
    }

    /** The manifest of a loaded classifier, or null for {@link #of}. */
    public ClassifierManifest manifest() {
        return manifest;
    }

    /** Where the classifier's files came from (null for {@link #of}). */
    ShippedFiles files() {
        return files;
    }

    /** The network. */
    public Classifier classifier() {
        return classifier;
    }

    /**
     * Features and class probabilities of n images.
     *
     * @param images row-major float32 (n, C, S, S) of the classifier's shape, values in [−1, 1]
     * @param n number of images
     */
    public Embedding embed(float[] images, int n) {
        ClassifierConfig c = classifier.config();
        int per = c.inChannels() * c.imageSize() * c.imageSize();
        if ((long) n * per != images.length) {
            throw new IllegalArgumentException(images.length + " values do not make " + n + " images of " + c.inChannels() + "x"
                    + c.imageSize() + "x" + c.imageSize());
        }
        double[][] features = new double[n][];
        double[][] probs = new double[n][];
        for (int start = 0; start < n; start += BATCH) {
            int b = Math.min(BATCH, n - start);
            float[] chunk = new float[b * per];
            System.arraycopy(images, start * per, chunk, 0, chunk.length);
            try (NDManager sub = manager.newSubManager()) {
                NDArray x = sub.create(chunk, new Shape(b, c.inChannels(), c.imageSize(), c.imageSize()));
                Classifier.Outputs out = classifier.apply(ps, x, false);
                float[] f = out.features().toType(DataType.FLOAT32, false).toFloatArray();
                float[] logits = out.logits().toType(DataType.FLOAT32, false).toFloatArray();
                rows(f, c.features(), features, start);
                rows(logits, c.classes(), probs, start);
                for (int r = start; r < start + b; r++) {
                    softmaxInPlace(probs[r]);
                }
            }
        }
        return new Embedding(features, probs);
    }

    /**
     * Class probabilities of images given only their features (the last layer is linear in the
     * features), e.g. for reference features stored without logits.
     */
    public double[][] probabilitiesOf(double[][] features) {
        ClassifierConfig c = classifier.config();
        int n = features.length;
        float[] flat = new float[n * c.features()];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c.features(); j++) {
                flat[i * c.features() + j] = (float) features[i][j];
            }
        }
        double[][] probs = new double[n][];
        try (NDManager sub = manager.newSubManager()) {
            NDArray f = sub.create(flat, new Shape(n, c.features()));
            rows(classifier.logitsOf(ps, f).toType(DataType.FLOAT32, false).toFloatArray(), c.classes(), probs, 0);
        }
        for (double[] p : probs) {
            softmaxInPlace(p);
        }
        return probs;
    }

    private static void rows(float[] flat, int width, double[][] into, int start) {
        for (int r = 0; r < flat.length / width; r++) {
            double[] row = new double[width];
            for (int j = 0; j < width; j++) {
                row[j] = flat[r * width + j];
            }
            into[start + r] = row;
        }
    }

    /** softmax in float64, shifted by the maximum for stability. */
    private static void softmaxInPlace(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int j = 0; j < z.length; j++) {
            z[j] = Math.exp(z[j] - max);
            sum += z[j];
        }
        for (int j = 0; j < z.length; j++) {
            z[j] /= sum;
        }
    }

    @Override
    public void close() {
        if (ownsManager) {
            manager.close();
        }
    }
}
