package io.diffusion4j.eval;

import io.diffusion4j.data.FashionMnist;
import io.diffusion4j.util.Check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Scores a set of generated Fashion-MNIST images with the shipped classifier's features, in float64,
 * and always beside the floor (the same figures for n real training images):
 * <ul>
 *   <li>FD: Fréchet distance of the samples' feature Gaussian to the 10,000 test images' ({@link FrechetDistance});</li>
 *   <li>KID ± std: unbiased polynomial-kernel MMD² against n test features over random subsets ({@link Kid});</li>
 *   <li>precision / recall with k = 3 against n test features ({@link PrecisionRecall});</li>
 *   <li>class accuracy when labels are given: the share of samples classified as their label;</li>
 *   <li>the classifier score exp E KL(p(y|x) ‖ p(y)) (table only).</li>
 * </ul>
 * The real features come from the shipped {@link ReferenceSet} when n is at most its size (2,000),
 * so no data set is needed; for larger n from the installed Fashion-MNIST ({@link Settings#dataDir}),
 * with the same permutations. n may not exceed 10,000 (the test set).
 *
 * <p>Reading and checking the inputs ({@link SampleImages#read}, {@link SampleImages#readLabels}) needs
 * no engine, so a command line can validate its arguments before the engine loads and then call
 * {@link #evaluate(SampleImages, long[])}.
 *
 * <p>Reading the figures: FD and KID rise steadily with every degradation of real images (see
 * docs/evaluation.md for the calibration table); recall falls to 0 for images unlike the data. Improved
 * precision alone is not a quality score here: a few real images whose 3rd neighbour is far away have
 * balls that swallow collapsed feature vectors, so pure noise scores a precision near 0.5 (the outlier
 * weakness noted by Naeem et al. 2020).
 *
 * <pre>
 * try (Evaluator ev = Evaluator.shipped()) {
 *     EvalReport r = ev.evaluate(Path.of("out/samples.npy"), Path.of("out/labels.npy"));
 *     System.out.print(r.table());
 *     r.writeJson(Path.of("out/eval.json"));
 * }
 * </pre>
 */
public final class Evaluator implements AutoCloseable {
    /** Smallest set scored: precision/recall need more than k + 1 points, and covariances want many more. */
    public static final int MIN_IMAGES = 10;
    /** Largest set scored: the size of the test set the samples are compared with. */
    public static final int MAX_IMAGES = 10_000;
    private final FeatureExtractor extractor;
    private final ReferenceSet shipped;
    private final Settings settings;
    private ReferenceSet computed;
    private final Map<Integer, EvalReport.Scores> floors = new HashMap<>();

    /**
     * How the metrics are computed.
     *
     * @param kidSubsets subsets of the KID estimate (100 in Bińkowski et al. 2018)
     * @param kidSubsetSize images per KID subset (1,000), clamped to n
     * @param k neighbourhood of precision/recall (3 in Kynkäänniemi et al. 2019)
     * @param seed seed of the KID subsets
     * @param dataDir Fashion-MNIST directory, used only when n exceeds the shipped reference size
     */
    public record Settings(int kidSubsets, int kidSubsetSize, int k, long seed, Path dataDir) {
        /** The defaults: 100 subsets of 1,000, k = 3, seed 0, Debian's data directory. */
        public static final Settings DEFAULT = new Settings(100, 1000, 3, 0, FashionMnist.DEBIAN_DIR);

        public Settings {
            Check.positive(kidSubsets, "KID subsets");
            Check.positive(kidSubsetSize, "KID subset size");
            Check.positive(k, "k");
            Check.notNull(dataDir, "dataDir");
        }

        /** The same settings with another data directory. */
        public Settings withDataDir(Path dir) {
            return new Settings(kidSubsets, kidSubsetSize, k, seed, dir);
        }
    }

    /**
     * An evaluator with the given classifier and shipped reference features; it owns {@code extractor}.
     */
    public Evaluator(FeatureExtractor extractor, ReferenceSet shipped, Settings settings) {
        this.extractor = Check.notNull(extractor, "extractor");
        this.shipped = Check.notNull(shipped, "shipped reference");
        this.settings = Check.notNull(settings, "settings");
    }

    /** The shipped classifier and reference features (checksums verified), default settings. */
    public static Evaluator shipped() throws IOException {
        return shipped(Settings.DEFAULT);
    }

    /** The shipped classifier and reference features with other settings. */
    public static Evaluator shipped(Settings settings) throws IOException {
        FeatureExtractor fe = FeatureExtractor.shipped();
        try {
            return new Evaluator(fe, ReferenceSet.shipped(fe), settings);
        } catch (IOException | RuntimeException e) {
            fe.close();
            throw e;
        }
    }

    /** The classifier. */
    public FeatureExtractor extractor() {
        return extractor;
    }

    /**
     * Scores the images of a {@code .npy} file or PNG folder ({@link SampleImages#read}), with optional
     * labels ({@link SampleImages#readLabels}).
     *
     * @param labels a labels {@code .npy}, or null
     * @throws IOException when a file is missing, unreadable or corrupt
     * @throws IllegalArgumentException when a file's content is not allowed (shape, range, label count)
     */
    public EvalReport evaluate(Path samples, Path labels) throws IOException {
        SampleImages images = SampleImages.read(samples);
        long[] l = labels == null ? null : SampleImages.readLabels(labels, images.n(), extractor.classifier().config().classes());
        return evaluate(images, l);
    }

    /**
     * Scores images already in memory.
     *
     * @param labels class of each image, or null
     */
    public EvalReport evaluate(SampleImages images, long[] labels) throws IOException {
        int n = images.n();
        if (n < MIN_IMAGES || n > MAX_IMAGES) {
            throw new IllegalArgumentException(images.source() + " holds " + n + " images; the evaluator scores " + MIN_IMAGES + " to "
                    + MAX_IMAGES + " images");
        }
        if (labels != null && labels.length != n) {
            throw new IllegalArgumentException(labels.length + " labels for the " + n + " images of " + images.source()
                    + "; give one label per image");
        }
        ReferenceSet ref = reference(n);
        Embedding e = extractor.embed(images.pixels(), n);
        EvalReport.Scores sample = score(e.features(), e.classifierScore(), ref);
        EvalReport.Scores floor = floor(ref);
        Double acc = labels == null ? null : e.accuracy(labels);
        return new EvalReport(sample, floor, acc, ref.testAccuracy(), images.source(), ref.source(), settings.kidSubsets(),
                Math.min(settings.kidSubsetSize(), n), settings.k());
    }

    /** The floor at the reference's size: its training features scored like samples (cached per size). */
    private EvalReport.Scores floor(ReferenceSet ref) {
        EvalReport.Scores cached = floors.get(ref.size());
        if (cached == null) {
            double[][] f = ref.trainFeatures();
            cached = score(f, new Embedding(f, extractor.probabilitiesOf(f)).classifierScore(), ref);
            floors.put(ref.size(), cached);
        }
        return cached;
    }

    /** All feature metrics of one set of n features against the reference of the same size. */
    EvalReport.Scores score(double[][] features, double classifierScore, ReferenceSet ref) {
        double fd = FrechetDistance.between(Gaussian.fit(features), ref.testStatistics());
        Kid kid = Kid.of(features, ref.testFeatures(), settings.kidSubsets(), settings.kidSubsetSize(), settings.seed());
        PrecisionRecall pr = PrecisionRecall.of(ref.testFeatures(), features, settings.k());
        return new EvalReport.Scores(features.length, fd, kid.mean(), kid.std(), pr.precision(), pr.recall(), classifierScore);
    }

    /** Reference features of exactly n rows: the shipped set when large enough, else computed from the data set. */
    ReferenceSet reference(int n) throws IOException {
        if (n <= shipped.size()) {
            return shipped.head(n);
        }
        if (computed == null || computed.size() < n) {
            if (!Files.isDirectory(settings.dataDir())) {
                throw new IllegalArgumentException("scoring " + n + " images needs the Fashion-MNIST files (the shipped reference covers "
                        + shipped.size() + "): install dataset-fashion-mnist or point the evaluator at a directory with them; "
                        + settings.dataDir() + " does not exist");
            }
            computed = ReferenceSet.fromDataset(extractor, settings.dataDir(), n, ReferenceSet.SUBSET_SEED);
        }
        return computed.head(n);
    }

    @Override
    public void close() {
        extractor.close();
    }
}
