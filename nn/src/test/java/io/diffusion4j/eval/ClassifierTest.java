package io.diffusion4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.diffusion4j.nn.Params;
import io.diffusion4j.train.TrainingBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifierTest {
    @Test
    void shippedClassifierLoadsWithItsChecksumAndPromisedAccuracy() throws IOException {
        try (FeatureExtractor fe = FeatureExtractor.shipped(); InputStream in = Classifier.class.getResourceAsStream(TrainClassifier.WEIGHTS_FILE)) {
            ClassifierManifest m = fe.manifest();
            assertEquals(ShippedFiles.sha256(in.readAllBytes()), m.weightsSha256());
            assertEquals(ClassifierConfig.FASHION_MNIST, m.config());
            assertTrue(m.testAccuracy() >= 0.91, "shipped test accuracy " + m.testAccuracy());
            assertEquals(m.testAccuracy(), Math.max(m.rawTestAccuracy(), m.emaTestAccuracy()));
            assertEquals(ClassifierManifest.PREPROCESSING, m.preprocessing());
        }
    }

    @Test
    void shippedClassifierClassifiesTheShippedTestImages() throws IOException {
        EvalFixtures.Real real = EvalFixtures.first200();
        try (FeatureExtractor fe = FeatureExtractor.shipped()) {
            Embedding e = fe.embed(real.pixels(), real.n());
            assertEquals(128, e.features()[0].length);
            assertTrue(e.accuracy(real.labels()) >= 0.85, "accuracy on the first 200 test images " + e.accuracy(real.labels()));
            for (double[] f : e.features()) {
                for (double v : f) {
                    assertTrue(v >= 0, "features are post-ReLU");
                }
            }
            // the logits layer alone on the features gives the same probabilities as the whole network
            double[][] p = fe.probabilitiesOf(e.features());
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(e.probabilities()[i], p[i], 1e-5);
            }
        }
    }

    @Test
    void corruptedWeightsOrReferenceFailWithAClearMessage(@TempDir Path dir) throws IOException {
        for (String f : new String[] {ClassifierManifest.FILE, TrainClassifier.WEIGHTS_FILE, TrainClassifier.REFERENCE_FILE}) {
            try (InputStream in = Classifier.class.getResourceAsStream(f)) {
                Files.write(dir.resolve(f), in.readAllBytes());
            }
        }
        try (FeatureExtractor fe = FeatureExtractor.fromDirectory(dir)) {
            assertEquals(fe.manifest().referenceSize(), ReferenceSet.shipped(fe).size());   // the intact copy loads
        }
        flipOneByte(dir.resolve(TrainClassifier.REFERENCE_FILE));
        try (FeatureExtractor fe = FeatureExtractor.fromDirectory(dir)) {
            IOException e = assertThrows(IOException.class, () -> ReferenceSet.shipped(fe));
            assertTrue(e.getMessage().contains(TrainClassifier.REFERENCE_FILE) && e.getMessage().contains("corrupt"), e.getMessage());
        }
        flipOneByte(dir.resolve(TrainClassifier.WEIGHTS_FILE));
        IOException e = assertThrows(IOException.class, () -> FeatureExtractor.fromDirectory(dir));
        assertTrue(e.getMessage().contains(dir.resolve(TrainClassifier.WEIGHTS_FILE).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("corrupt") && e.getMessage().contains("SHA-256"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");

        Files.delete(dir.resolve(TrainClassifier.WEIGHTS_FILE));
        IOException missing = assertThrows(IOException.class, () -> FeatureExtractor.fromDirectory(dir));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Files.writeString(dir.resolve(ClassifierManifest.FILE), "{\"format\": \"something-else\"}");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> FeatureExtractor.fromDirectory(dir));
        assertTrue(bad.getMessage().contains("diffusion4j-classifier/1"), bad.getMessage());
    }

    private static void flipOneByte(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        b[b.length - 3] ^= 0x10;
        Files.write(p, b);
    }

    @Test
    void inputsOfTheWrongShapeAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            Classifier c = Params.create(new Classifier(ClassifierConfig.FASHION_MNIST), m, 1);
            ParameterStore ps = new ParameterStore(m, false);
            for (Shape bad : new Shape[] {new Shape(2, 3, 28, 28), new Shape(2, 1, 32, 32), new Shape(2, 784)}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.apply(ps, m.zeros(bad), false));
                assertTrue(e.getMessage().contains("(N, 1, 28, 28)"), e.getMessage());
            }
            Classifier.Outputs out = c.apply(ps, m.zeros(new Shape(3, 1, 28, 28)), false);
            assertEquals(new Shape(3, 128), out.features().getShape());
            assertEquals(new Shape(3, 10), out.logits().getShape());
            FeatureExtractor fe = FeatureExtractor.of(c, m);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fe.embed(new float[783], 1));
            assertTrue(e.getMessage().contains("1x28x28"), e.getMessage());
        }
    }

    @Test
    void defaultNetworkHasItsParameterCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 320 + 9,248 + 18,496 + 36,928 (convs) + 384 (GroupNorms) + 2,080 (1x1) + 200,832 (features) + 1,290 (logits)
            assertEquals(269_578, Params.count(Params.create(new Classifier(ClassifierConfig.FASHION_MNIST), m, 0)));
        }
    }

    @Test
    void augmentationDependsOnSeedAndStepOnlyAndFlipsAndShifts() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] px = new float[2 * 784];
            java.util.Arrays.fill(px, -1f);
            px[10 * 28 + 5] = 1f;            // image 0: one bright pixel at (x = 5, y = 10)
            px[784 + 20 * 28 + 20] = 0.5f;   // image 1: one pixel at (20, 20)
            NDArray x = m.create(px, new Shape(2, 1, 28, 28));
            NDArray labels = m.create(new long[] {3, 7});
            ClassificationObjective obj = new ClassificationObjective(10, 2, true);
            TrainingBatch a = obj.prepare(x, labels, 5, 17);
            TrainingBatch b = obj.prepare(x, labels, 5, 17);
            assertArrayEquals(a.input().toFloatArray(), b.input().toFloatArray());
            assertArrayEquals(new long[] {3, 7}, a.target().toLongArray());
            boolean differs = false;
            for (long step = 0; step < 20; step++) {
                float[] out = obj.prepare(x, labels, 5, step).input().toFloatArray();
                // each image keeps exactly one bright pixel (shifts of at most 2 never push it out), at a position
                // reachable by a flip and a shift of at most 2
                int bright = -1;
                for (int i = 0; i < 784; i++) {
                    if (out[i] == 1f) {
                        assertEquals(-1, bright);
                        bright = i;
                    } else {
                        assertEquals(-1f, out[i]);
                    }
                }
                int bx = bright % 28;
                int by = bright / 28;
                assertTrue(Math.abs(by - 10) <= 2, "y " + by);
                assertTrue(Math.abs(bx - 5) <= 2 || Math.abs(bx - 22) <= 2, "x " + bx);
                differs |= bright != 10 * 28 + 5;
            }
            assertTrue(differs, "augmentation moved the pixel at least once in 20 steps");
        }
    }

    @Test
    void lossIsTheMeanCrossEntropy() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {1f, 2f, 0.5f, 0f, -1f, 3f}, new Shape(2, 3));
            TrainingBatch batch = new TrainingBatch(null, null, null, m.create(new long[] {1, 2}), m.ones(new Shape(2)));
            double l0 = -(2 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(0.5)));   // by hand
            double l1 = -(3 - Math.log(Math.exp(0) + Math.exp(-1) + Math.exp(3)));
            assertEquals((l0 + l1) / 2, new ClassificationObjective(3, 0, false).loss(logits, batch).getFloat(), 1e-6);
        }
    }
}
