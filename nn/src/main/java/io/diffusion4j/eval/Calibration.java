package io.diffusion4j.eval;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.data.FashionMnist;
import io.diffusion4j.data.LabeledImages;
import io.diffusion4j.nn.SeedMix;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.train.MainArgs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The calibration table of the evaluator: how the scores of known degradations of real images
 * compare with the floor, so a reader can interpret a sample's score. At n images it scores n held-out
 * test images (the rows n … 2n−1 of the test permutation, disjoint from the n reference test images)
 * clean, with Gaussian noise of σ = 0.05, 0.1, 0.2, 0.5 (in [−1, 1] units, clipped), blurred with a
 * 3×3 and a 5×5 box filter (border padded with the background −1), and pure noise (N(0, 1) clipped,
 * and U[−1, 1]); the first row is the floor (n training images).
 *
 * <pre>
 * apt-get install -y dataset-fashion-mnist
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -cp CLASSPATH io.diffusion4j.eval.Calibration [--n 2000]
 *      [--data /usr/share/datasets/fashion-mnist]
 * </pre>
 */
public final class Calibration {
    private Calibration() {}

    /** Prints the table as Markdown. */
    public static void main(String[] args) {
        MainArgs.run(args, List.of("n", "data"), Calibration::run);
    }

    private static void run(MainArgs o) throws IOException {
        int n = o.integer("n", 2000);
        Path data = o.path("data", FashionMnist.DEBIAN_DIR);
        Map<String, float[]> variants = new LinkedHashMap<>();
        long[] labels;
        try (NDManager m = NDManager.newBaseManager(); LabeledImages test = FashionMnist.load(m, data, false)) {
            int[] perm = ReferenceSet.subset((int) test.size(), 2 * n, SeedMix.derive(ReferenceSet.SUBSET_SEED, 1));
            long[] idx = new long[n];
            for (int i = 0; i < n; i++) {
                idx[i] = perm[n + i];
            }
            float[] clean = test.images(m, idx).toFloatArray();
            labels = test.labels(m, idx).toLongArray();
            variants.put("held-out test images", clean);
            for (double s : new double[] {0.05, 0.1, 0.2, 0.5}) {
                variants.put("test + N(0, " + s + "²) noise", addNoise(clean, s, 1));
            }
            variants.put("test, 3x3 box blur", boxBlur(clean, n, 1));
            variants.put("test, 5x5 box blur", boxBlur(clean, n, 2));
            variants.put("pure noise N(0, 1), clipped", addNoise(new float[clean.length], 1.0, 2));
            variants.put("pure noise U[-1, 1]", uniform(clean.length));
        }
        Evaluator.Settings settings = Evaluator.Settings.DEFAULT.withDataDir(data);
        try (Evaluator ev = Evaluator.shipped(settings)) {
            System.out.println("| images (n = " + n + ") | FD | KID ± std | precision | recall | class accuracy | classifier score |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|");
            boolean first = true;
            for (Map.Entry<String, float[]> v : variants.entrySet()) {
                long t0 = System.nanoTime();
                EvalReport r = ev.evaluate(SampleImages.of(v.getValue(), n, v.getKey()), labels);
                if (first) {
                    EvalReport.Scores f = r.floor();
                    System.out.println(row("floor: training images", f, Double.NaN));
                    first = false;
                }
                System.out.println(row(v.getKey(), r.sample(), r.classAccuracy()) + "  <!-- " + Math.round((System.nanoTime() - t0) / 1e9) + " s -->");
            }
            System.out.printf(Locale.ROOT, "%nclassifier accuracy on the 10,000 test images: %.4f; KID: %d subsets of %d, k = %d%n",
                    ev.extractor().manifest().testAccuracy(), settings.kidSubsets(), Math.min(n, settings.kidSubsetSize()), settings.k());
        }
    }

    private static String row(String name, EvalReport.Scores s, double acc) {
        return String.format(Locale.ROOT, "| %s | %.3f | %.5f ± %.5f | %.3f | %.3f | %s | %.2f |", name, s.fd(), s.kid(), s.kidStd(),
                s.precision(), s.recall(), Double.isNaN(acc) ? "—" : String.format(Locale.ROOT, "%.4f", acc), s.classifierScore());
    }

    /** x + σ·ε clipped to [−1, 1], ε from a seeded {@link NoiseSource} (image i, draw). */
    static float[] addNoise(float[] x, double sigma, long draw) {
        int per = SampleImages.SIZE * SampleImages.SIZE;
        float[] eps = new float[x.length];
        NoiseSource noise = new NoiseSource(SeedMix.derive(ReferenceSet.SUBSET_SEED, 7));
        for (int i = 0; i < x.length / per; i++) {
            noise.fill(eps, i * per, per, i, draw);
        }
        float[] out = new float[x.length];
        for (int j = 0; j < x.length; j++) {
            out[j] = (float) Math.max(-1, Math.min(1, x[j] + sigma * eps[j]));
        }
        return out;
    }

    /** A (2r+1)×(2r+1) box filter of each image, pixels outside the image counted as background −1. */
    static float[] boxBlur(float[] x, int n, int r) {
        int s = SampleImages.SIZE;
        float[] out = new float[x.length];
        double area = (2 * r + 1) * (2 * r + 1);
        for (int i = 0; i < n; i++) {
            int base = i * s * s;
            for (int y = 0; y < s; y++) {
                for (int xx = 0; xx < s; xx++) {
                    double sum = 0;
                    for (int dy = -r; dy <= r; dy++) {
                        for (int dx = -r; dx <= r; dx++) {
                            int yy = y + dy;
                            int xs = xx + dx;
                            sum += yy < 0 || yy >= s || xs < 0 || xs >= s ? -1 : x[base + yy * s + xs];
                        }
                    }
                    out[base + y * s + xx] = (float) (sum / area);
                }
            }
        }
        return out;
    }

    private static float[] uniform(int size) {
        long seed = SeedMix.derive(ReferenceSet.SUBSET_SEED, 9);
        float[] out = new float[size];
        for (int j = 0; j < size; j++) {
            out[j] = (float) (2 * SeedMix.uniform(seed, j) - 1);
        }
        return out;
    }
}
