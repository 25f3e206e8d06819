package io.diffusion4j.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchOpsTest {
    @Test
    void siluIsXTimesSigmoidAndHasItsGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[] x = {-6, -1.5, -0.1, 0, 0.3, 2, 7};
            NDArray a = m.create(x);
            a.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = TorchOps.silu(a);
                double[] expected = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    expected[i] = x[i] / (1 + Math.exp(-x[i]));   // closed form
                }
                assertArrayEquals(expected, y.toDoubleArray(), 1e-15);
                gc.backward(y.sum());
            }
            double[] grad = a.getGradient().toDoubleArray();
            for (int i = 0; i < x.length; i++) {
                double s = 1 / (1 + Math.exp(-x[i]));
                assertEquals(s * (1 + x[i] * (1 - s)), grad[i], 1e-15, "d silu/dx at " + x[i]);   // closed form
            }
        }
    }

    @Test
    void groupNormSiluIsSiluOfGroupNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(0, 2, new Shape(2, 8, 3, 3), DataType.FLOAT64);
            NDArray gamma = m.randomNormal(new Shape(8), DataType.FLOAT64);
            NDArray beta = m.randomNormal(new Shape(8), DataType.FLOAT64);
            NDArray gn = GroupNorm.groupNorm(x, 4, gamma, beta, 1e-5f);
            NDArray fused = GroupNorm.groupNorm(x, 4, gamma, beta, 1e-5f, true);
            assertArrayEquals(gn.mul(gn.getNDArrayInternal().sigmoid()).toDoubleArray(), fused.toDoubleArray(), 1e-14);
        }
    }

    @Test
    void emaUpdateAndNormsMatchTheirFormulas() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray e1 = m.create(new float[] {1, 2, 3});
            NDArray e2 = m.create(new float[] {-4, 0.5f});
            NDArray p1 = m.create(new float[] {0, 10, -3});
            NDArray p2 = m.create(new float[] {4, 0.5f});
            float d = 0.75f;
            TorchOps.emaUpdate(List.of(e1, e2), List.of(p1, p2), d);
            assertArrayEquals(new float[] {1 * d, 2 * d + 10 * (1 - d), 3 * d - 3 * (1 - d)}, e1.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {-4 * d + 4 * (1 - d), 0.5f}, e2.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {(float) Math.sqrt(109), (float) Math.sqrt(16.25)},
                    TorchOps.norms(List.of(p1, p2), m), 1e-5f);
        }
    }

    @Test
    void dropoutKeepsNinetyPercentScaledAndFollowsTheEngineSeed() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(200_000));
            JniUtils.setSeed(42);
            float[] a = ResBlock.dropout(x, 0.1f).toFloatArray();
            JniUtils.setSeed(42);
            float[] b = ResBlock.dropout(x, 0.1f).toFloatArray();
            assertArrayEquals(a, b, "same engine seed, same mask");
            int kept = 0;
            for (float v : a) {
                assertTrue(v == 0f || Math.abs(v - 1 / 0.9f) < 1e-6f, "values are 0 or 1/(1 - p), got " + v);
                kept += v == 0f ? 0 : 1;
            }
            // Binomial(200000, 0.9): standard deviation 134, so ±1% of n is ~15 sigma
            assertEquals(0.9, kept / 200_000.0, 0.01);
        }
    }

    @Test
    void bf16ConvolutionsStayCloseToFloat32AndKeepFloat32Gradients() {
        Assumptions.assumeTrue(Autocast.cpuHasBf16(), "this CPU has no native bfloat16");
        try (NDManager m = NDManager.newBaseManager()) {
            Conv conv = Params.create(new Conv(8, 8, 3), m, 5);
            ai.djl.training.ParameterStore ps = new ai.djl.training.ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 8, 6, 6));
            NDArray full = conv.forward(ps, x, false);
            NDArray half;
            try (Autocast ignored = Autocast.bf16Convolutions()) {
                half = conv.forward(ps, x, false);
            }
            assertEquals(DataType.FLOAT32, half.getDataType());
            double scale = full.abs().max().getFloat();
            assertTrue(half.sub(full).abs().max().getFloat() < 0.03 * scale, "bfloat16 keeps ~3 significant digits");
            NDArray again = conv.forward(ps, x, false);
            assertArrayEquals(full.toFloatArray(), again.toFloatArray(), "outside the scope convolutions are float32 again");
            NDArray w = Params.arrays(conv).get("weight");
            w.setRequiresGradient(true);
            try (Autocast ignored = Autocast.bf16Convolutions(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(conv.forward(ps, x, true).sum());
            }
            assertEquals(DataType.FLOAT32, w.getGradient().getDataType());
            assertTrue(w.getGradient().abs().sum().getFloat() > 0);
            new NDList(full, half).close();
        }
    }
}
