package io.diffusion4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import io.diffusion4j.data.EpochSampler;
import io.diffusion4j.data.Samples;
import io.diffusion4j.nn.Params;
import io.diffusion4j.nn.SeedMix;
import io.diffusion4j.nn.TorchOps;
import io.diffusion4j.nn.TrainableNetwork;
import io.diffusion4j.util.Check;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop of one network (a denoiser, a classifier: any {@link TrainableNetwork}): per step a batch from {@link EpochSampler}, the {@link Objective},
 * forward and backward, global-norm gradient clipping, a fused {@link AdamW} update, an EMA update
 * and a NaN/Inf guard. Every step runs in its own {@link NDScope}. Everything random derives from
 * (seed, step) — including the engine generator used by dropout, which is reseeded each step — so
 * {@link #save} followed by {@link #restore} continues bit for bit on the same thread count.
 */
public final class Trainer<N extends TrainableNetwork> implements AutoCloseable {
    private final N model;
    private final N ema;
    private final Objective objective;
    private final TrainConfig config;
    private final Samples data;
    private final EpochSampler sampler;
    private final ParameterStore ps;
    private final Map<String, NDArray> weights;
    private final Map<String, NDArray> emaWeights;
    private final List<NDArray> emaList = new ArrayList<>();
    private final List<NDArray> weightList = new ArrayList<>();
    private final AdamW adam;
    private final NDManager manager;
    private long step;
    private long skipped;
    private int consecutiveBad;

    /**
     * What one step did.
     *
     * @param step the step index that ran (0-based)
     * @param loss weighted loss of the batch (NaN when skipped for a non-finite loss)
     * @param lr learning rate used
     * @param gradNorm global gradient norm before clipping
     * @param skipped whether the update was skipped for a non-finite loss or gradient
     * @param seconds wall time of the step
     */
    public record StepResult(long step, double loss, double lr, double gradNorm, boolean skipped, double seconds) {}

    /**
     * A trainer of {@code model} (initialised, e.g. by {@link Params#create}); {@code ema} must have the same
     * shape and starts as a copy of the model. Both are owned by the caller.
     *
     * @param data the training set (images, 2-D points, any per-sample shape the network takes; labels are
     *     passed on when it has them)
     */
    public Trainer(N model, N ema, Objective objective, TrainConfig config, Samples data, NDManager manager) {
        this.model = Check.notNull(model, "model");
        this.ema = Check.notNull(ema, "ema");
        this.objective = Check.notNull(objective, "objective");
        this.config = Check.notNull(config, "config");
        this.data = Check.notNull(data, "data");
        this.sampler = new EpochSampler(data.size(), config.batchSize(), config.seed());
        this.manager = Check.notNull(manager, "manager");
        this.ps = new ParameterStore(manager, false);
        this.weights = Params.arrays(model);
        ema.freezeParameters(true);
        this.emaWeights = Params.arrays(ema);
        Params.load(ema, weights, "the model");
        for (Map.Entry<String, NDArray> e : emaWeights.entrySet()) {
            emaList.add(e.getValue());
            weightList.add(weights.get(e.getKey()));
        }
        this.adam = new AdamW(weights, config, manager);
    }

    /** Steps completed so far. */
    public long currentStep() {
        return step;
    }

    /** Steps whose update was skipped for a non-finite loss or gradient. */
    public long skippedSteps() {
        return skipped;
    }

    /** The EMA network (the one to sample from). */
    public N ema() {
        return ema;
    }

    /** The trained network. */
    public N model() {
        return model;
    }

    /** Runs one optimisation step. */
    public StepResult step() {
        long s = step;
        long t0 = System.nanoTime();
        double lr = config.lr(s);
        double loss;
        double norm;
        try (NDScope scope = new NDScope(); NDManager sub = manager.newSubManager()) {
            scope.suppressNotUsedWarning();
            long[] idx = sampler.indices(s);
            NDArray x0 = data.batch(sub, idx);
            NDArray labels = data.labels(sub, idx);
            TrainingBatch b = objective.prepare(x0, labels, config.seed(), s);
            JniUtils.setSeed(SeedMix.derive(SeedMix.derive(config.seed(), 0xd7), s));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = model.forward(ps, b.input(), b.t(), b.labels(), true);
                NDArray l = objective.loss(out, b);
                gc.backward(l);
                loss = l.getFloat();
            }
            Map<String, NDArray> grads = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : weights.entrySet()) {
                grads.put(e.getKey(), e.getValue().getGradient());
            }
            norm = globalNorm(TorchOps.norms(new ArrayList<>(grads.values()), sub));
            if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                zeroGradients();
                return skip(s, loss, lr, norm, t0);
            }
            double scale = config.gradClip() > 0 && norm > config.gradClip() ? config.gradClip() / norm : 1.0;
            adam.update(weights, grads, s + 1, lr, scale);
            zeroGradients();
            updateEma(config.emaDecay(s));
        }
        consecutiveBad = 0;
        step = s + 1;
        return new StepResult(s, loss, lr, norm, false, (System.nanoTime() - t0) / 1e9);
    }

    private StepResult skip(long s, double loss, double lr, double norm, long t0) {
        skipped++;
        consecutiveBad++;
        step = s + 1;
        if (consecutiveBad >= config.maxBadSteps()) {
            throw new IllegalStateException("training diverged: " + consecutiveBad + " consecutive steps (the last at step " + s
                    + ") had a non-finite loss or gradient (loss " + loss + ", gradient norm " + norm
                    + "); lower the learning rate or resume from an earlier checkpoint");
        }
        return new StepResult(s, loss, lr, norm, true, (System.nanoTime() - t0) / 1e9);
    }

    private static double globalNorm(float[] perTensor) {
        double sum = 0;
        for (float f : perTensor) {
            sum += (double) f * f;
        }
        return Math.sqrt(sum);
    }

    private void zeroGradients() {
        for (NDArray w : weights.values()) {
            JniUtils.zeroGrad((PtNDArray) w);
        }
    }

    /** e ← e·d + w·(1 − d) for every parameter, in one engine call. */
    private void updateEma(double decay) {
        TorchOps.emaUpdate(emaList, weightList, (float) decay);
    }

    /**
     * Writes a checkpoint of the current state under {@code root} (see {@link Checkpoint}).
     *
     * @param description configuration to record (network, objective, schedule, training); the trainer
     *     adds seed, thread count and counters
     */
    public Path save(Path root, JsonObject description, int keep) throws IOException {
        Map<String, Map<String, NDArray>> groups = new LinkedHashMap<>();
        groups.put("model", weights);
        groups.put("ema", emaWeights);
        groups.put("adam_m", adam.firstMoments());
        groups.put("adam_v", adam.secondMoments());
        JsonObject state = description.deepCopy();
        state.addProperty("seed", config.seed());
        state.addProperty("threads", JniUtils.getNumThreads());
        state.addProperty("interop_threads", JniUtils.getNumInteropThreads());
        state.addProperty("skipped_steps", skipped);
        state.addProperty("consecutive_bad_steps", consecutiveBad);
        return Checkpoint.write(root, step, groups, state, keep);
    }

    /** Restores weights, EMA, Adam moments and counters from a checkpoint of this configuration. */
    public void restore(Checkpoint.Loaded c) {
        String where = "checkpoint " + c.dir();
        for (String g : new String[] {"model", "ema", "adam_m", "adam_v"}) {
            if (!c.groups().containsKey(g)) {
                throw new IllegalArgumentException(where + " has no " + g + ".safetensors");
            }
        }
        Params.load(model, c.groups().get("model"), where + "/model.safetensors");
        Params.load(ema, c.groups().get("ema"), where + "/ema.safetensors");
        copyAll(c.groups().get("adam_m"), adam.firstMoments(), where + "/adam_m.safetensors");
        copyAll(c.groups().get("adam_v"), adam.secondMoments(), where + "/adam_v.safetensors");
        step = c.step();
        skipped = c.state().has("skipped_steps") ? c.state().get("skipped_steps").getAsLong() : 0;
        consecutiveBad = c.state().has("consecutive_bad_steps") ? c.state().get("consecutive_bad_steps").getAsInt() : 0;
    }

    private static void copyAll(Map<String, NDArray> from, Map<String, NDArray> to, String source) {
        for (Map.Entry<String, NDArray> e : to.entrySet()) {
            NDArray v = from.get(e.getKey());
            if (v == null) {
                throw new IllegalArgumentException(source + " has no tensor " + e.getKey());
            }
            Params.copyInto(v, e.getValue(), source + ":" + e.getKey());
        }
    }

    @Override
    public void close() {
        adam.close();
    }
}
