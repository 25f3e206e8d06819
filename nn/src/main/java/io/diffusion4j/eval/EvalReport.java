package io.diffusion4j.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.diffusion4j.io.TempPaths;
import io.diffusion4j.util.Check;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The result of {@link Evaluator}: the scored set's figures and, always beside them, the floor — the
 * same figures for as many real training images — and the classifier's accuracy on the real test set.
 *
 * <p>JSON ({@link #toJson}, CONTRACT.md "eval"): the top level holds exactly {@code n, fd, kid, kid_std,
 * precision, recall} and {@code class_accuracy} when labels were given; everything about the reference
 * sits in the nested {@code reference} object.
 *
 * @param sample figures of the scored set
 * @param floor figures of n Fashion-MNIST training images against the same test references
 * @param classAccuracy share of samples the classifier assigns to their label, or null without labels
 * @param testAccuracy the classifier's accuracy on the 10,000 real test images
 * @param source the file or folder scored
 * @param referenceSource where the reference features came from
 * @param kidSubsets KID subsets
 * @param kidSubsetSize KID subset size
 * @param k neighbourhood size of precision/recall
 */
public record EvalReport(Scores sample, Scores floor, Double classAccuracy, double testAccuracy, String source,
                         String referenceSource, int kidSubsets, int kidSubsetSize, int k) {
    /**
     * One row of figures.
     *
     * @param n images scored
     * @param fd Fréchet distance of their features to the 10,000 test images' features
     * @param kid KID (mean over subsets) against n test images
     * @param kidStd standard deviation of KID over the subsets
     * @param precision improved precision against n test images
     * @param recall improved recall against n test images
     * @param classifierScore exp E KL(p(y|x) ‖ p(y)) (1 … 10)
     */
    public record Scores(int n, double fd, double kid, double kidStd, double precision, double recall, double classifierScore) {}

    public EvalReport {
        Check.notNull(sample, "sample");
        Check.notNull(floor, "floor");
    }

    /** The report as JSON with the contract's keys (pretty-printed). */
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("n", sample.n());
        o.addProperty("fd", sample.fd());
        o.addProperty("kid", sample.kid());
        o.addProperty("kid_std", sample.kidStd());
        o.addProperty("precision", sample.precision());
        o.addProperty("recall", sample.recall());
        if (classAccuracy != null) {
            o.addProperty("class_accuracy", classAccuracy);
        }
        JsonObject r = new JsonObject();
        r.addProperty("what", "floor: " + floor.n() + " real Fashion-MNIST training images scored exactly as the samples");
        r.addProperty("n", floor.n());
        r.addProperty("fd", floor.fd());
        r.addProperty("kid", floor.kid());
        r.addProperty("kid_std", floor.kidStd());
        r.addProperty("precision", floor.precision());
        r.addProperty("recall", floor.recall());
        r.addProperty("classifier_score", floor.classifierScore());
        r.addProperty("test_accuracy", testAccuracy);
        r.addProperty("features", referenceSource);
        r.addProperty("kid_subsets", kidSubsets);
        r.addProperty("kid_subset_size", kidSubsetSize);
        r.addProperty("k", k);
        o.add("reference", r);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o);
    }

    /** Writes {@link #toJson} to {@code file} through a temporary file and a rename (an existing file is replaced). */
    public void writeJson(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        TempPaths.replaceAtomically(file, tmp -> Files.writeString(tmp, toJson() + "\n", StandardCharsets.UTF_8));
    }

    /** A plain-text table: the scored set beside the floor, and FD as a multiple of the floor's FD. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-18s %14s %14s%n", "metric", "samples", "floor"));
        b.append(String.format(Locale.ROOT, "%-18s %14d %14d%n", "n", sample.n(), floor.n()));
        b.append(String.format(Locale.ROOT, "%-18s %14.4f %14.4f   (%.2f x floor)%n", "FD", sample.fd(), floor.fd(), sample.fd() / floor.fd()));
        b.append(String.format(Locale.ROOT, "%-18s %14s %14s%n", "KID ± std", pm(sample.kid(), sample.kidStd()), pm(floor.kid(), floor.kidStd())));
        b.append(String.format(Locale.ROOT, "%-18s %14.4f %14.4f%n", "precision", sample.precision(), floor.precision()));
        b.append(String.format(Locale.ROOT, "%-18s %14.4f %14.4f%n", "recall", sample.recall(), floor.recall()));
        b.append(String.format(Locale.ROOT, "%-18s %14.4f %14.4f%n", "classifier score", sample.classifierScore(), floor.classifierScore()));
        b.append(String.format(Locale.ROOT, "%-18s %14s %14.4f%n", "class accuracy",
                classAccuracy == null ? "-" : String.format(Locale.ROOT, "%.4f", classAccuracy), testAccuracy));
        b.append(String.format(Locale.ROOT, "samples: %s%nfloor: %d real training images vs the test set; class-accuracy floor = "
                + "the classifier's accuracy on the 10,000 real test images%nKID: %d subsets of %d; precision/recall k = %d%n",
                source, floor.n(), kidSubsets, kidSubsetSize, k));
        return b.toString();
    }

    private static String pm(double mean, double std) {
        return String.format(Locale.ROOT, "%.3f ± %.3f", mean, std);
    }
}
