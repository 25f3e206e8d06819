package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MlpDenoiserTest {
    private static final MlpConfig SMALL = new MlpConfig(3, 8, 2, 4, 5.0, 1.0, 2);

    /** Finite differences (float64) through every parameter and the input, class-conditional network. */
    @Test
    void gradientCheck() {
        try (NDManager m = NDManager.newBaseManager()) {
            MlpDenoiser net = Params.create(new MlpDenoiser(SMALL), m, 4, DataType.FLOAT64);
            GroupNormTest.randomize(net, m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(4, 3), DataType.FLOAT64).mul(0.3);
            NDArray t = m.create(new double[] {0, 17, 250, 999});
            NDArray labels = m.create(new long[] {0, 1, 2, 1});
            GradCheck.check(m, in -> net.forward(ps, in.get(0), t, labels, true), new NDList(x),
                    List.copyOf(Params.arrays(net).values()), 11);
        }
    }

    @Test
    void shapesNamesAndCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            MlpDenoiser net = Params.create(new MlpDenoiser(SMALL), m, 1);
            assertEquals(List.of("class_embedding.weight", "linear_in.weight", "linear_in.bias", "blocks.0.weight", "blocks.0.bias",
                    "blocks.1.weight", "blocks.1.bias", "linear_out.weight", "linear_out.bias"), List.copyOf(Params.named(net).keySet()));
            // features: 3 raw + (3 + 1 + 1)·4 sinusoidal/class = 23; 3·4 + 23·8 + 8 + 2·(8·8 + 8) + 8·3 + 3
            assertEquals(23, SMALL.featureWidth());
            assertEquals(12 + 23 * 8 + 8 + 2 * 72 + 24 + 3, Params.count(net));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(5, 3));
            NDArray t = m.create(new float[] {1, 2, 3, 4, 5});
            assertEquals(new Shape(5, 3), net.forward(ps, x, t, null, false).getShape());
        }
    }

    @Test
    void missingLabelsMeanTheNullLabel() {
        try (NDManager m = NDManager.newBaseManager()) {
            MlpDenoiser net = Params.create(new MlpDenoiser(SMALL), m, 2);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 3));
            NDArray t = m.create(new float[] {10, 500});
            NDArray none = net.forward(ps, x, t, null, false);
            NDArray nullLabel = net.forward(ps, x, t, m.create(new long[] {2, 2}), false);
            NDArray class0 = net.forward(ps, x, t, m.create(new long[] {0, 0}), false);
            assertTrue(none.contentEquals(nullLabel));
            assertTrue(!none.contentEquals(class0), "the class changes the output");
            NDArray viaNetwork = net.asNetwork(ps).apply(x, t, null);
            assertTrue(none.contentEquals(viaNetwork));
        }
    }

    @Test
    void badInputsAreNamed() {
        try (NDManager m = NDManager.newBaseManager()) {
            MlpDenoiser net = Params.create(new MlpDenoiser(SMALL), m, 3);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray t = m.create(new float[] {1, 2});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> net.forward(ps, m.zeros(new Shape(2, 4)), t, null, false));
            assertTrue(e.getMessage().contains("(N, 3)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> net.forward(ps, m.zeros(new Shape(3, 3)), t, null, false));
            assertTrue(e.getMessage().contains("t must have shape (3)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> net.forward(ps, m.zeros(new Shape(2, 3)), t, m.create(new long[] {0, 3}), false));
            assertTrue(e.getMessage().contains("labels must be in [0, 2]"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MlpConfig(2, 8, 1, 5, 1, 1, 0));
        assertTrue(e.getMessage().contains("embeddingDim must be even"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MlpConfig(2, 8, -1, 4, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new MlpConfig(2, 8, 1, 4, 0, 1, 0));
    }
}
