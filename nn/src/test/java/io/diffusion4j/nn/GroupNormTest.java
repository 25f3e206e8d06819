package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GroupNormTest {
    @Test
    void matchesFloat64HandComputation() {
        int n = 2;
        int c = 6;
        int g = 3;
        int hw = 5;
        Random rnd = new Random(3);
        double[] x = new double[n * c * hw];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextGaussian() * 3 + 1;
        }
        double[] gamma = {0.5, -1, 2, 1.5, 0.25, 1};
        double[] beta = {0, 1, -1, 0.5, 2, -0.5};
        double eps = 1e-5;
        // By hand (Wu & He 2018, eq. 1-3): per (sample, group) mean and biased variance over C/G channels x pixels.
        double[] expected = new double[x.length];
        int per = c / g * hw;
        for (int s = 0; s < n; s++) {
            for (int gr = 0; gr < g; gr++) {
                int base = (s * c + gr * (c / g)) * hw;
                double mean = 0;
                for (int i = 0; i < per; i++) {
                    mean += x[base + i];
                }
                mean /= per;
                double var = 0;
                for (int i = 0; i < per; i++) {
                    var += (x[base + i] - mean) * (x[base + i] - mean);
                }
                var /= per;
                for (int i = 0; i < per; i++) {
                    int ch = gr * (c / g) + i / hw;
                    expected[base + i] = (x[base + i] - mean) / Math.sqrt(var + eps) * gamma[ch] + beta[ch];
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray out = GroupNorm.groupNorm(m.create(x, new Shape(n, c, 1, hw)), g, m.create(gamma), m.create(beta), (float) eps);
            assertArrayEquals(expected, out.toDoubleArray(), 1e-12);
            NDArray out32 = GroupNorm.groupNorm(m.create(x, new Shape(n, c, 1, hw)).toType(DataType.FLOAT32, false), g,
                    m.create(gamma).toType(DataType.FLOAT32, false), m.create(beta).toType(DataType.FLOAT32, false), (float) eps);
            assertArrayEquals(expected, out32.toType(DataType.FLOAT64, false).toDoubleArray(), 2e-5);
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            GroupNorm gn = Params.create(new GroupNorm(2, 4), m, 1, DataType.FLOAT64);
            randomize(gn, m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 4, 3, 3), DataType.FLOAT64);
            GradCheck.check(m, in -> gn.forward(ps, in.get(0), true), new NDList(x), List.copyOf(Params.arrays(gn).values()), 1);
        }
    }

    @Test
    void rejectsChannelsNotDivisibleByGroups() {
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 8));
    }

    /** Non-trivial parameter values (the initial γ = 1, β = 0 would hide mistakes). */
    static void randomize(ai.djl.nn.Block block, NDManager m) {
        for (NDArray p : Params.arrays(block).values()) {
            NDArray r = m.randomNormal(p.getShape(), DataType.FLOAT64).mul(0.5).add(0.3).toType(p.getDataType(), false);
            p.set(new ai.djl.ndarray.index.NDIndex("..."), r);
        }
    }
}
