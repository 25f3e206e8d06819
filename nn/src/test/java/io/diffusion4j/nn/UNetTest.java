package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UNetTest {
    @Test
    void defaultFashionMnistNetworkHasTheAgreedParameterCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet net = Params.create(new UNet(UNetConfig.FASHION_MNIST), m, 0);
            // Counted on the PyTorch twin, bench/unet_torch.py (DESIGN.md).
            assertEquals(1_624_577L, Params.count(net));
        }
    }

    @Test
    void outputHasTheInputShapeAt28And32() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet net = Params.create(new UNet(UNetConfig.FASHION_MNIST), m, 1);
            ParameterStore ps = new ParameterStore(m, false);
            for (int size : new int[] {28, 32}) {
                NDArray x = m.randomNormal(new Shape(2, 1, size, size));
                NDArray t = m.create(new float[] {0f, 999f});
                NDArray labels = m.create(new long[] {3, 10});
                NDArray y = net.forward(ps, x, t, labels, false);
                assertEquals(x.getShape(), y.getShape());
                assertFalse(Double.isNaN(y.sum().getFloat()));
            }
        }
    }

    @Test
    void parameterKeysAreStableAndReadable() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet net = Params.create(new UNet(UNetConfig.FASHION_MNIST), m, 0);
            Map<String, ?> keys = Params.named(net);
            for (String k : List.of("time_embedding.linear_1.weight", "class_embedding.weight", "conv_in.weight",
                    "down.0.res.0.conv1.weight", "down.1.res.0.skip.weight", "down.2.attn.1.qkv.bias",
                    "down.0.downsample.conv.weight", "mid.res_1.norm1.weight", "mid.attn.proj.weight",
                    "up.2.res.2.emb_proj.bias", "up.1.upsample.conv.weight", "norm_out.bias", "conv_out.weight")) {
                assertTrue(keys.containsKey(k), k + " in " + keys.keySet());
            }
        }
    }

    @Test
    void initialisationDependsOnlyOnTheSeed() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNetConfig small = new UNetConfig(1, 8, List.of(1, 2), 1, List.of(1), true, 2, 4, 0.0, 3);
            UNet a = Params.create(new UNet(small), m, 5);
            UNet b = Params.create(new UNet(small), m, 5);
            UNet c = Params.create(new UNet(small), m, 6);
            NDArray wa = a.getParameters().get(0).getValue().getArray();
            assertTrue(Params.arrays(a).get("conv_in.weight").contentEquals(Params.arrays(b).get("conv_in.weight")));
            assertFalse(Params.arrays(a).get("conv_in.weight").contentEquals(Params.arrays(c).get("conv_in.weight")));
            assertEquals(DataType.FLOAT32, wa.getDataType());
            assertEquals(0f, Params.arrays(a).get("conv_out.weight").abs().sum().getFloat());
        }
    }

    @Test
    void badLabelsAndShapesFailClearly() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNetConfig small = new UNetConfig(1, 8, List.of(1, 2), 1, List.of(1), true, 2, 4, 0.0, 3);
            UNet net = Params.create(new UNet(small), m, 5);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.zeros(new Shape(1, 1, 8, 8));
            NDArray t = m.create(new float[] {1f});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> net.forward(ps, x, t, m.create(new long[] {4}), false));
            assertTrue(e.getMessage().contains("[0, 3]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> net.forward(ps, m.zeros(new Shape(1, 2, 8, 8)), t, null, false));
        }
    }
}
