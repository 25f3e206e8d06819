package io.diffusion4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.nn.SeedMix;
import io.diffusion4j.train.Objective;
import io.diffusion4j.train.TrainingBatch;
import io.diffusion4j.util.Check;

/**
 * Supervised classification for the {@link io.diffusion4j.train.Trainer}: the batch's input is the
 * (lightly augmented) images, its target the int64 labels, and the loss the mean cross-entropy
 * −mean_i log softmax(logits_i)[y_i].
 *
 * <p>Augmentation, per image: a horizontal flip with probability ½ (garments are roughly mirror
 * symmetric) and a translation by (dx, dy) uniform in {−shift … shift}², the uncovered border filled
 * with the background value −1. Both are drawn from counter streams seeded by (seed, step), so a
 * resumed run draws exactly what an uninterrupted one would have.
 */
public final class ClassificationObjective implements Objective {
    private final int shift;
    private final boolean flip;
    private final int classes;

    /**
     * @param classes number of classes K (labels in 0 … K−1)
     * @param shift largest translation in pixels (0 = none)
     * @param flip whether to flip horizontally at random
     */
    public ClassificationObjective(int classes, int shift, boolean flip) {
        this.classes = Check.positive(classes, "classes");
        this.shift = Check.nonNegative(shift, "shift");
        this.flip = flip;
    }

    @Override
    public TrainingBatch prepare(NDArray x0, NDArray labels, long seed, long step) {
        Check.notNull(labels, "labels (a classifier needs labelled data)");
        NDManager m = x0.getManager();
        Shape s = x0.getShape();
        int n = Math.toIntExact(s.get(0));
        NDArray input = shift == 0 && !flip ? x0 : augment(x0, SeedMix.derive(SeedMix.derive(seed, 0xa0), step));
        NDArray target = labels.toType(DataType.INT64, false);
        NDArray weight = m.ones(new Shape(n));
        return new TrainingBatch(input, null, null, target, weight);
    }

    /** Mean cross-entropy of logits (N, K) against int64 targets (N,). */
    @Override
    public NDArray loss(NDArray output, TrainingBatch batch) {
        NDArray logp = output.logSoftmax(1);
        NDArray picked = logp.mul(batch.target().oneHot(classes, DataType.FLOAT32)).sum(new int[] {1});
        return picked.mul(batch.weight()).mean().neg();
    }

    /** Flips and shifts every image on the host; draws for row r are uniforms 3r, 3r+1, 3r+2 of the stream. */
    NDArray augment(NDArray x0, long stream) {
        Shape s = x0.getShape();
        int n = Math.toIntExact(s.get(0));
        int c = Math.toIntExact(s.get(1));
        int h = Math.toIntExact(s.get(2));
        int w = Math.toIntExact(s.get(3));
        float[] in = x0.toType(DataType.FLOAT32, false).toFloatArray();
        float[] out = new float[in.length];
        java.util.Arrays.fill(out, -1f);
        int span = 2 * shift + 1;
        for (int r = 0; r < n; r++) {
            boolean mirror = flip && SeedMix.uniform(stream, 3L * r) < 0.5;
            int dx = SeedMix.uniformInt(stream, 3L * r + 1, span) - shift;
            int dy = SeedMix.uniformInt(stream, 3L * r + 2, span) - shift;
            for (int ch = 0; ch < c; ch++) {
                int base = (r * c + ch) * h * w;
                for (int y = 0; y < h; y++) {
                    int sy = y - dy;
                    if (sy < 0 || sy >= h) {
                        continue;
                    }
                    for (int x = 0; x < w; x++) {
                        int sx = x - dx;
                        if (sx < 0 || sx >= w) {
                            continue;
                        }
                        out[base + y * w + x] = in[base + sy * w + (mirror ? w - 1 - sx : sx)];
                    }
                }
            }
        }
        return x0.getManager().create(out, s);
    }
}
