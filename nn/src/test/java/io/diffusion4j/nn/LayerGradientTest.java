package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Finite-difference gradient checks (float64) of every custom layer, and small forward facts. */
class LayerGradientTest {
    private static <B extends Layer> B make(B block, NDManager m) {
        Params.create(block, m, 9, DataType.FLOAT64);
        GroupNormTest.randomize(block, m);
        return block;
    }

    @Test
    void resBlockWithChannelChange() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResBlock rb = make(new ResBlock(4, 6, 5, 2, 0.0), m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 4, 3, 3), DataType.FLOAT64);
            NDArray e = m.randomNormal(new Shape(2, 5), DataType.FLOAT64);
            GradCheck.check(m, in -> rb.forward(ps, in.get(0), in.get(1), true), new NDList(x, e),
                    List.copyOf(Params.arrays(rb).values()), 3);
        }
    }

    @Test
    void resBlockStartsAsItsSkipPath() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResBlock rb = Params.create(new ResBlock(4, 4, 5, 2, 0.0), m, 1);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(1, 4, 3, 3));
            NDArray out = rb.forward(ps, x, m.randomNormal(new Shape(1, 5)), false);
            assertArrayEquals(x.toFloatArray(), out.toFloatArray(), 0f);   // conv2 is zero-initialised
        }
    }

    @Test
    void downsampleAndUpsample() {
        try (NDManager m = NDManager.newBaseManager()) {
            Downsample down = make(new Downsample(3), m);
            Upsample up = make(new Upsample(3), m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 3, 5, 5), DataType.FLOAT64);
            assertEquals(new Shape(2, 3, 3, 3), down.forward(ps, x, false).getShape());
            assertEquals(new Shape(2, 3, 10, 10), up.forward(ps, x, false).getShape());
            GradCheck.check(m, in -> down.forward(ps, in.get(0), true), new NDList(x), List.copyOf(Params.arrays(down).values()), 4);
            NDArray y = m.randomNormal(new Shape(1, 3, 3, 4), DataType.FLOAT64);
            GradCheck.check(m, in -> up.forward(ps, in.get(0), true), new NDList(y), List.copyOf(Params.arrays(up).values()), 5);
        }
    }

    @Test
    void nearestUpsamplingRepeatsPixels() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            NDArray up = x.getNDArrayInternal().interpolation(new long[] {4, 4}, 0, false);
            assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, up.toFloatArray(), 0f);
        }
    }

    @Test
    void timestepEmbeddingAndClassEmbedding() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray sin = TimestepEmbedding.sinusoidal(m.create(new float[] {0f, 10f}), 4);
            // half = 2: f = (1, 10000^-1/2 = 0.01); row t: [cos t, cos 0.01t, sin t, sin 0.01t].
            assertArrayEquals(new float[] {1, 1, 0, 0, (float) Math.cos(10), (float) Math.cos(0.1), (float) Math.sin(10),
                (float) Math.sin(0.1)}, sin.toFloatArray(), 1e-6f);
            TimestepEmbedding te = make(new TimestepEmbedding(4, 6), m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray t = m.create(new double[] {3, 250, 999});
            GradCheck.check(m, in -> te.forward(ps, t, true), new NDList(), List.copyOf(Params.arrays(te).values()), 6);
            ClassEmbedding ce = make(new ClassEmbedding(3, 5), m);
            NDArray labels = m.create(new long[] {0, 3, 3, 1});
            GradCheck.check(m, in -> ce.forward(ps, labels, true), new NDList(), List.copyOf(Params.arrays(ce).values()), 7);
        }
    }

    @Test
    void denseAndConv() {
        try (NDManager m = NDManager.newBaseManager()) {
            Dense dense = make(new Dense(3, 4), m);
            Conv conv = make(new Conv(2, 3, 3), m);
            ParameterStore ps = new ParameterStore(m, false);
            GradCheck.check(m, in -> dense.forward(ps, in.get(0), true), new NDList(m.randomNormal(new Shape(2, 3), DataType.FLOAT64)),
                    List.copyOf(Params.arrays(dense).values()), 8);
            GradCheck.check(m, in -> conv.forward(ps, in.get(0), true), new NDList(m.randomNormal(new Shape(1, 2, 4, 4), DataType.FLOAT64)),
                    List.copyOf(Params.arrays(conv).values()), 9);
        }
    }
}
