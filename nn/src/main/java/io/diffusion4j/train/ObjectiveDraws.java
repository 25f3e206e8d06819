package io.diffusion4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.nn.SeedMix;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.NoiseLevel;

import java.util.Arrays;
import java.util.function.IntFunction;
import java.util.function.ToDoubleFunction;

/**
 * What the noising objectives ({@link DiffusionObjective}, {@link FlowObjective}) share: their random draws,
 * each a pure function of (seed, step, row), and the assembly of a batch x_t = α_r·x₀ + σ_r·ε from per-row
 * noise levels. Draws of row r at step s: the time from the counter stream {@link #stream}(seed,
 * {@link #TIME}, s) at index r, the label-dropout coin from stream (seed, {@link #DROPOUT}, s) at index r,
 * and ε from a {@link NoiseSource} seeded derive(seed, {@link #NOISE}) with image index s·N + r. Changing a
 * tag changes every run's draws (and breaks resuming older checkpoints exactly).
 */
final class ObjectiveDraws {
    /** Tag of the time draws. */
    static final long TIME = 0x71;
    /** Tag of the label-dropout coins. */
    static final long DROPOUT = 0xd0;
    /** Tag of the noise ε. */
    static final long NOISE = 0xe5;

    private ObjectiveDraws() {}

    /** The counter stream of one kind of draw at one step. */
    static long stream(long seed, long tag, long step) {
        return SeedMix.derive(SeedMix.derive(seed, tag), step);
    }

    /** Whether row r's label is dropped at step s, with probability {@code pUncond}. */
    static boolean dropsLabel(long seed, long step, int row, double pUncond) {
        return SeedMix.uniform(stream(seed, DROPOUT, step), row) < pUncond;
    }

    /**
     * The labels with dropped rows replaced by the null label K = {@code numClasses}; null stays null.
     *
     * @throws IllegalArgumentException when labels are given to an unconditional objective
     */
    static NDArray dropLabels(NDArray labels, long seed, long step, double pUncond, int numClasses) {
        if (labels == null) {
            return null;
        }
        if (numClasses == 0) {
            throw new IllegalArgumentException("labels given to an unconditional objective (numClasses = 0); "
                    + "configure the objective with the number of classes, or train on unlabelled data");
        }
        long[] l = labels.toType(DataType.INT64, false).toLongArray();
        for (int r = 0; r < l.length; r++) {
            if (dropsLabel(seed, step, r, pUncond)) {
                l[r] = numClasses;
            }
        }
        return labels.getManager().create(l);
    }

    /**
     * The prepared batch for clean x₀ (N, …): row r at {@code level.apply(r)} with loss weight
     * {@code weight.applyAsDouble(level)}, ε drawn as described above, x_t = α·x₀ + σ·ε, the target of
     * {@code prediction} per row, t = level.t(), and labels dropped with probability {@code pUncond}.
     */
    static TrainingBatch prepare(NDArray x0, NDArray labels, long seed, long step, IntFunction<NoiseLevel> level,
                                 ToDoubleFunction<NoiseLevel> weight, Prediction prediction, double pUncond, int numClasses) {
        NDManager m = x0.getManager();
        Shape shape = x0.getShape();
        int n = Math.toIntExact(shape.get(0));
        NDArray eps = new NoiseSource(SeedMix.derive(seed, NOISE)).normal(m, shape.slice(1), NoiseSource.range(step * n, n), 0);
        float[] t = new float[n];
        float[] alpha = new float[n];
        float[] sigma = new float[n];
        float[] w = new float[n];
        NDList targets = new NDList(n);
        for (int r = 0; r < n; r++) {
            NoiseLevel l = level.apply(r);
            t[r] = (float) l.t();
            alpha[r] = (float) l.alpha();
            sigma[r] = (float) l.sigma();
            w[r] = (float) weight.applyAsDouble(l);
            targets.add(prediction.target(x0.get(r), eps.get(r), l));
        }
        Shape column = perRow(shape);
        NDArray xt = x0.mul(m.create(alpha, column)).add(eps.mul(m.create(sigma, column)));
        NDArray dropped = dropLabels(labels, seed, step, pUncond, numClasses);
        return new TrainingBatch(xt, m.create(t), dropped, NDArrays.stack(targets), m.create(w));
    }

    /** (N, 1, …, 1) of the rank of {@code shape}: a per-row value that broadcasts over one sample. */
    static Shape perRow(Shape shape) {
        long[] dims = new long[shape.dimension()];
        Arrays.fill(dims, 1);
        dims[0] = shape.get(0);
        return new Shape(dims);
    }
}
