package io.diffusion4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class SelfAttention2dTest {
    @Test
    void matchesFloat64HandComputation() {
        int n = 2;
        int c = 4;
        int heads = 2;
        int groups = 2;
        int h = 2;
        int w = 3;
        int len = h * w;
        int d = c / heads;
        try (NDManager m = NDManager.newBaseManager()) {
            SelfAttention2d attn = Params.create(new SelfAttention2d(c, heads, groups), m, 4, DataType.FLOAT64);
            GroupNormTest.randomize(attn, m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray xa = m.randomNormal(new Shape(n, c, h, w), DataType.FLOAT64);
            double[] x = xa.toDoubleArray();
            Map<String, NDArray> p = Params.arrays(attn);
            double[] gnW = p.get("norm.weight").toDoubleArray();
            double[] gnB = p.get("norm.bias").toDoubleArray();
            double[] qkvW = p.get("qkv.weight").toDoubleArray();   // (3c, c, 1, 1)
            double[] qkvB = p.get("qkv.bias").toDoubleArray();
            double[] projW = p.get("proj.weight").toDoubleArray(); // (c, c, 1, 1)
            double[] projB = p.get("proj.bias").toDoubleArray();
            double[] expected = new double[x.length];
            for (int s = 0; s < n; s++) {
                // GroupNorm by hand.
                double[][] hn = new double[c][len];
                int per = c / groups;
                for (int g = 0; g < groups; g++) {
                    double mean = 0;
                    double var = 0;
                    for (int ch = g * per; ch < (g + 1) * per; ch++) {
                        for (int i = 0; i < len; i++) {
                            mean += x[(s * c + ch) * len + i];
                        }
                    }
                    mean /= per * len;
                    for (int ch = g * per; ch < (g + 1) * per; ch++) {
                        for (int i = 0; i < len; i++) {
                            double dv = x[(s * c + ch) * len + i] - mean;
                            var += dv * dv;
                        }
                    }
                    var /= per * len;
                    for (int ch = g * per; ch < (g + 1) * per; ch++) {
                        for (int i = 0; i < len; i++) {
                            hn[ch][i] = (x[(s * c + ch) * len + i] - mean) / Math.sqrt(var + 1e-5) * gnW[ch] + gnB[ch];
                        }
                    }
                }
                // 1x1 qkv: channel o = q (0..c-1), k (c..2c-1), v (2c..3c-1); head e owns channels e*d .. e*d+d-1 of each.
                double[][] qkv = new double[3 * c][len];
                for (int o = 0; o < 3 * c; o++) {
                    for (int i = 0; i < len; i++) {
                        double acc = qkvB[o];
                        for (int ch = 0; ch < c; ch++) {
                            acc += qkvW[o * c + ch] * hn[ch][i];
                        }
                        qkv[o][i] = acc;
                    }
                }
                double[][] att = new double[c][len];
                for (int e = 0; e < heads; e++) {
                    for (int i = 0; i < len; i++) {
                        double[] logits = new double[len];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < len; j++) {
                            double dot = 0;
                            for (int k = 0; k < d; k++) {
                                dot += qkv[e * d + k][i] * qkv[c + e * d + k][j];
                            }
                            logits[j] = dot / Math.sqrt(d);
                            max = Math.max(max, logits[j]);
                        }
                        double z = 0;
                        for (int j = 0; j < len; j++) {
                            logits[j] = Math.exp(logits[j] - max);
                            z += logits[j];
                        }
                        for (int k = 0; k < d; k++) {
                            double acc = 0;
                            for (int j = 0; j < len; j++) {
                                acc += logits[j] / z * qkv[2 * c + e * d + k][j];
                            }
                            att[e * d + k][i] = acc;
                        }
                    }
                }
                for (int o = 0; o < c; o++) {
                    for (int i = 0; i < len; i++) {
                        double acc = projB[o];
                        for (int ch = 0; ch < c; ch++) {
                            acc += projW[o * c + ch] * att[ch][i];
                        }
                        expected[(s * c + o) * len + i] = x[(s * c + o) * len + i] + acc;
                    }
                }
            }
            assertArrayEquals(expected, attn.forward(ps, xa, false).toDoubleArray(), 1e-12);
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            SelfAttention2d attn = Params.create(new SelfAttention2d(4, 2, 2), m, 5, DataType.FLOAT64);
            GroupNormTest.randomize(attn, m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 4, 2, 3), DataType.FLOAT64);
            GradCheck.check(m, in -> attn.forward(ps, in.get(0), true), new NDList(x), List.copyOf(Params.arrays(attn).values()), 2);
        }
    }
}
