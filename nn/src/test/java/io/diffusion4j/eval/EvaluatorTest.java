package io.diffusion4j.eval;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.diffusion4j.data.FashionMnist;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EvaluatorTest {
    private static final Evaluator.Settings FAST = new Evaluator.Settings(20, 100, 3, 0, FashionMnist.DEBIAN_DIR);
    private static Evaluator shipped;
    private static EvalFixtures.Real real;

    @BeforeAll
    static void load() throws IOException {
        shipped = Evaluator.shipped(FAST);
        real = EvalFixtures.first200();
    }

    @AfterAll
    static void close() {
        shipped.close();
    }

    @Test
    void aSetScoredAgainstItselfHasZeroDistanceAndFullPrecisionAndRecall() throws IOException {
        float[] px = EvalFixtures.rectangles(150, 3);
        Embedding e = shipped.extractor().embed(px, 150);
        try (Evaluator self = new Evaluator(FeatureExtractor.shipped(), EvalFixtures.selfReference(e.features(), 0.5), FAST)) {
            EvalReport r = self.evaluate(SampleImages.of(px, 150, "rectangles"), null);
            assertEquals(150, r.sample().n());
            assertEquals(0.0, r.sample().fd(), 1e-6);
            assertEquals(1.0, r.sample().precision());
            assertEquals(1.0, r.sample().recall());
            assertEquals(r.sample().fd(), r.floor().fd(), 1e-12);   // the floor of this reference is the same set
            assertEquals(null, r.classAccuracy());
        }
    }

    @Test
    void twoSamplesOfOneDistributionHaveKidNearZeroAndSmallFd() throws IOException {
        // KID is unbiased for independent samples (an identical set is not one: shared points inflate the cross term)
        float[] a = EvalFixtures.rectangles(300, 3);
        float[] b = EvalFixtures.rectangles(300, 4);
        float[] c = EvalFixtures.first200().pixels();
        Embedding ea = shipped.extractor().embed(a, 300);
        try (Evaluator ev = new Evaluator(FeatureExtractor.shipped(), EvalFixtures.selfReference(ea.features(), 0.5), FAST)) {
            EvalReport same = ev.evaluate(SampleImages.of(b, 300, "rectangles b"), null);
            assertTrue(Math.abs(same.sample().kid()) <= 3 * same.sample().kidStd(), same.table());
            EvalReport other = ev.evaluate(SampleImages.of(c, 200, "test images"), null);
            assertTrue(other.sample().kid() > 5 * other.sample().kidStd(), other.table());
            assertTrue(other.sample().fd() > 10 * same.sample().fd(), same.table() + other.table());
        }
    }

    @Test
    void theFirst200TestImagesAgainstThemselvesScoreZeroAndTheClassifiersAccuracy() throws IOException {
        Embedding e = shipped.extractor().embed(real.pixels(), real.n());
        double accuracy = e.accuracy(real.labels());
        try (Evaluator self = new Evaluator(FeatureExtractor.shipped(), EvalFixtures.selfReference(e.features(), 0.9), FAST)) {
            EvalReport r = self.evaluate(SampleImages.of(real.pixels(), real.n(), "first 200 test images"), real.labels());
            assertEquals(0.0, r.sample().fd(), 1e-6);
            assertEquals(1.0, r.sample().precision());
            assertEquals(1.0, r.sample().recall());
            assertEquals(accuracy, r.classAccuracy());
            assertTrue(accuracy >= 0.85, "accuracy " + accuracy);
        }
    }

    @Test
    void realTestImagesScoreNearTheFloorAndFarFromNoise() throws IOException {
        // shipped reference, n = 200 <= 2,000: needs no data set
        EvalReport r = shipped.evaluate(SampleImages.of(real.pixels(), real.n(), "first 200 test images"), real.labels());
        EvalReport noise = shipped.evaluate(SampleImages.of(EvalFixtures.rectangles(200, 9), 200, "rectangles"), real.labels());
        assertEquals(200, r.floor().n());
        assertTrue(r.sample().fd() < 3 * r.floor().fd(), r.table());
        assertTrue(noise.sample().fd() > 10 * r.floor().fd(), noise.table());
        assertTrue(r.sample().precision() > 0.6 && r.sample().recall() > 0.6, r.table());
        assertTrue(noise.sample().recall() < 0.2, noise.table());
        assertTrue(noise.classAccuracy() < 0.3 && r.classAccuracy() > 0.85, noise.table());
        assertEquals(shipped.extractor().manifest().testAccuracy(), r.testAccuracy());
    }

    @Test
    void jsonHasExactlyTheContractsTopLevelKeys(@TempDir Path dir) throws IOException {
        Path samples = dir.resolve("samples.npy");
        Path labels = dir.resolve("labels.npy");
        EvalFixtures.writeNpy(samples, real.pixels(), real.n(), 1, 28, 28);
        EvalFixtures.writeLabels(labels, real.labels());

        JsonObject with = JsonParser.parseString(shipped.evaluate(samples, labels).toJson()).getAsJsonObject();
        assertEquals(Set.of("n", "fd", "kid", "kid_std", "precision", "recall", "class_accuracy", "reference"), with.keySet());
        JsonObject without = JsonParser.parseString(shipped.evaluate(samples, null).toJson()).getAsJsonObject();
        assertEquals(Set.of("n", "fd", "kid", "kid_std", "precision", "recall", "reference"), without.keySet());
        assertEquals(200, with.get("n").getAsInt());
        JsonObject ref = with.getAsJsonObject("reference");
        for (String k : new String[] {"n", "fd", "kid", "kid_std", "precision", "recall", "test_accuracy"}) {
            assertTrue(ref.has(k), "reference." + k);
        }
        assertEquals(with.get("fd").getAsDouble(), without.get("fd").getAsDouble());

        Path json = dir.resolve("eval.json");
        shipped.evaluate(samples, labels).writeJson(json);
        assertEquals(with, JsonParser.parseString(Files.readString(json)));
        try (var s = Files.list(dir)) {
            assertEquals(3, s.count(), "no temporary file left");
        }
    }

    @Test
    void badInputIsRejectedWithOneLineNamingTheFile(@TempDir Path dir) throws IOException {
        Path flat = dir.resolve("flat.npy");
        EvalFixtures.writeNpy(flat, new float[20 * 784], 20, 28, 28);
        assertMessage(IllegalArgumentException.class, () -> shipped.evaluate(flat, null), flat.toString(), "(N, 1, 28, 28)");

        Path bright = dir.resolve("bright.npy");
        float[] px = new float[20 * 784];
        px[784 * 3 + 5] = 1.5f;
        EvalFixtures.writeNpy(bright, px, 20, 1, 28, 28);
        assertMessage(IllegalArgumentException.class, () -> shipped.evaluate(bright, null), bright.toString(), "outside [-1, 1]");

        Path ok = dir.resolve("ok.npy");
        EvalFixtures.writeNpy(ok, new float[20 * 784], 20, 1, 28, 28);
        Path labels = dir.resolve("labels.npy");
        EvalFixtures.writeLabels(labels, new long[19]);
        assertMessage(IllegalArgumentException.class, () -> shipped.evaluate(ok, labels), labels.toString(), "19 labels for 20 images");
        EvalFixtures.writeLabels(labels, new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertMessage(IllegalArgumentException.class, () -> shipped.evaluate(ok, labels), labels.toString(), "[0, 9]");

        Path corrupt = dir.resolve("corrupt.npy");
        Files.write(corrupt, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        assertMessage(IOException.class, () -> shipped.evaluate(corrupt, null), corrupt.toString(), ".npy");
        Path truncated = dir.resolve("truncated.npy");
        byte[] whole = Files.readAllBytes(ok);
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 100));
        assertMessage(IOException.class, () -> shipped.evaluate(truncated, null), truncated.toString(), "truncated");

        Path few = dir.resolve("few.npy");
        EvalFixtures.writeNpy(few, new float[5 * 784], 5, 1, 28, 28);
        assertMessage(IllegalArgumentException.class, () -> shipped.evaluate(few, null), few.toString(), "10 to 10000");
        Path missing = dir.resolve("missing.npy");
        assertMessage(IOException.class, () -> shipped.evaluate(missing, null), missing.toString(), "does not exist");
    }

    static <T extends Exception> void assertMessage(Class<T> type, org.junit.jupiter.api.function.Executable call, String... parts) {
        T e = assertThrows(type, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
        }
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void withTheInstalledDataSetHeldOutTestImagesScoreLikeTheFloor() throws IOException {
        assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIR), "dataset-fashion-mnist is not installed");
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
             io.diffusion4j.data.LabeledImages test = FashionMnist.load(m, FashionMnist.DEBIAN_DIR, false)) {
            int n = 500;
            int[] perm = ReferenceSet.subset((int) test.size(), 2 * n, io.diffusion4j.nn.SeedMix.derive(ReferenceSet.SUBSET_SEED, 1));
            long[] idx = new long[n];
            for (int i = 0; i < n; i++) {
                idx[i] = perm[n + i];   // disjoint from the n reference test images
            }
            EvalReport r = shipped.evaluate(SampleImages.of(test.images(m, idx).toFloatArray(), n, "held-out test images"),
                    test.labels(m, idx).toLongArray());
            assertTrue(r.sample().fd() < 2 * r.floor().fd() + 0.5, r.table());
            assertTrue(Math.abs(r.classAccuracy() - r.testAccuracy()) < 0.05, r.table());
        }
    }
}
