package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.util.Check;

import java.util.Arrays;

/**
 * What a discrete sampler does to x̂₀ before using it (diffusers {@code clip_sample},
 * {@code clip_sample_range}, {@code thresholding}, {@code dynamic_thresholding_ratio},
 * {@code sample_max_value}).
 */
public sealed interface X0Clipping {
    /** Leave x̂₀ as it is. */
    X0Clipping NONE = new None();

    /** Applies the clipping; returns x0 itself when nothing changes. */
    NDArray apply(NDArray x0);

    /** No clipping. */
    record None() implements X0Clipping {
        @Override
        public NDArray apply(NDArray x0) {
            return x0;
        }
    }

    /**
     * Clamp to ±range ({@code clip_sample = true}).
     *
     * @param range {@code clip_sample_range} &gt; 0
     */
    record Clamp(double range) implements X0Clipping {
        public Clamp {
            Check.positive(range, "clip_sample_range");
        }

        @Override
        public NDArray apply(NDArray x0) {
            return x0.clip(-range, range);
        }
    }

    /**
     * Dynamic thresholding (Saharia et al. 2022, Imagen §2.3; diffusers {@code thresholding}): per sample
     * s = quantile(|x̂₀|, ratio) (linear interpolation, as torch.quantile), clamped to [1, maxValue], then
     * x̂₀ = clamp(x̂₀, −s, s)/s.
     *
     * @param ratio {@code dynamic_thresholding_ratio} in (0, 1]
     * @param maxValue {@code sample_max_value} &gt; 0 (below 1 it caps s, as torch.clamp(s, 1, max) does)
     */
    record Dynamic(double ratio, double maxValue) implements X0Clipping {
        public Dynamic {
            Check.inRange(ratio, Double.MIN_VALUE, 1.0, "dynamic_thresholding_ratio");
            Check.positive(maxValue, "sample_max_value");   // diffusers accepts < 1: s = min(max(q, 1), maxValue)
        }

        @Override
        public NDArray apply(NDArray x0) {
            int n = (int) x0.getShape().get(0);
            int d = (int) (x0.size() / n);
            float[] v = x0.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            float[] out = new float[v.length];
            float[] row = new float[d];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < d; j++) {
                    row[j] = Math.abs(v[r * d + j]);
                }
                Arrays.sort(row);
                double pos = ratio * (d - 1);
                int lo = (int) Math.floor(pos);
                int hi = Math.min(lo + 1, d - 1);
                double q = row[lo] + (pos - lo) * (row[hi] - row[lo]);
                float s = (float) Math.min(Math.max(q, 1.0), maxValue);
                for (int j = 0; j < d; j++) {
                    out[r * d + j] = Math.min(Math.max(v[r * d + j], -s), s) / s;
                }
            }
            return x0.getManager().create(out, x0.getShape());
        }
    }
}
