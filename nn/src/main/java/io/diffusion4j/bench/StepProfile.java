package io.diffusion4j.bench;

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
import io.diffusion4j.data.LabeledImages;
import io.diffusion4j.nn.Params;
import io.diffusion4j.nn.SeedMix;
import io.diffusion4j.nn.TorchOps;
import io.diffusion4j.nn.UNet;
import io.diffusion4j.nn.UNetConfig;
import io.diffusion4j.train.AdamW;
import io.diffusion4j.train.DiffusionObjective;
import io.diffusion4j.train.TrainConfig;
import io.diffusion4j.train.TrainingBatch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where the time of a trainer step goes: the body of {@link io.diffusion4j.train.Trainer#step} (as of
 * this writing; keep the two in step) split into phases (batch and objective, forward, loss and backward, gradient norms, AdamW, zeroing the
 * gradients, EMA), each timed separately; median seconds per phase over the timed steps. A tool for
 * optimising, not a figure to compare: the split adds a few clock reads per step.
 */
final class StepProfile {
    private static final String[] PHASES = {"batch", "forward", "backward", "grad_norm", "adamw", "zero_grad", "ema", "total"};

    private StepProfile() {}

    static void run(UNetConfig net, int batch, int warmup, int steps, Consumer<String> lines) {
        long seed = 20_240_601L;
        try (NDManager manager = NDManager.newBaseManager();
             LabeledImages data = TrainBenchmark.randomImages(manager, TrainBenchmark.DATA_SIZE, net.numClasses(), seed)) {
            UNet model = Params.create(new UNet(net), manager, seed);
            UNet ema = Params.create(new UNet(net), manager, seed);
            ema.freezeParameters(true);
            TrainConfig config = TrainConfig.FASHION_MNIST.withBatchSize(batch).withSteps(1_000_000);
            DiffusionObjective objective = TrainBenchmark.objective(net.numClasses());
            EpochSampler sampler = new EpochSampler(data.size(), batch, seed);
            ParameterStore ps = new ParameterStore(manager, false);
            Map<String, NDArray> weights = Params.arrays(model);
            List<NDArray> emaList = new ArrayList<>();
            List<NDArray> weightList = new ArrayList<>();
            for (Map.Entry<String, NDArray> e : Params.arrays(ema).entrySet()) {
                emaList.add(e.getValue());
                weightList.add(weights.get(e.getKey()));
            }
            double[][] times = new double[PHASES.length][steps];
            try (AdamW adam = new AdamW(weights, config, manager)) {
                for (int s = 0; s < warmup + steps; s++) {
                    long[] t = new long[PHASES.length];
                    long start = System.nanoTime();
                    try (NDScope scope = new NDScope(); NDManager sub = manager.newSubManager()) {
                        scope.suppressNotUsedWarning();
                        long[] idx = sampler.indices(s);
                        TrainingBatch b = objective.prepare(data.images(sub, idx), data.labels(sub, idx), seed, s);
                        JniUtils.setSeed(SeedMix.derive(seed, s));
                        t[0] = System.nanoTime();
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray out = model.forward(ps, b.input(), b.t(), b.labels(), true);
                            t[1] = System.nanoTime();
                            NDArray l = objective.loss(out, b);
                            gc.backward(l);
                            l.getFloat();
                        }
                        t[2] = System.nanoTime();
                        Map<String, NDArray> grads = new LinkedHashMap<>();
                        for (Map.Entry<String, NDArray> e : weights.entrySet()) {
                            grads.put(e.getKey(), e.getValue().getGradient());
                        }
                        TorchOps.norms(new ArrayList<>(grads.values()), sub);
                        t[3] = System.nanoTime();
                        adam.update(weights, grads, s + 1, config.lr(s), 1.0);
                        t[4] = System.nanoTime();
                        for (NDArray w : weights.values()) {
                            JniUtils.zeroGrad((PtNDArray) w);
                        }
                        t[5] = System.nanoTime();
                        TorchOps.emaUpdate(emaList, weightList, (float) config.emaDecay(s));
                        t[6] = System.nanoTime();
                    }
                    t[7] = System.nanoTime();
                    if (s >= warmup) {
                        long prev = start;
                        for (int p = 0; p < 7; p++) {
                            times[p][s - warmup] = (t[p] - prev) / 1e9;
                            prev = t[p];
                        }
                        times[7][s - warmup] = (t[7] - start) / 1e9;
                    }
                }
            }
            JsonObject o = BenchMain.line("profile", BenchMain.NETWORK, batch);
            o.addProperty("impl", "java");
            for (int p = 0; p < PHASES.length; p++) {
                o.addProperty(PHASES[p] + "_ms", BenchMain.round(1000 * TrainBenchmark.median(times[p]), 1));
            }
            lines.accept(o.toString());
        }
    }
}
