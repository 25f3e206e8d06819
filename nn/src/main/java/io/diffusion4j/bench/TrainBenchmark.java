package io.diffusion4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.diffusion4j.data.LabeledImages;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.nn.Params;
import io.diffusion4j.nn.UNet;
import io.diffusion4j.nn.UNetConfig;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.train.DiffusionObjective;
import io.diffusion4j.train.LossWeighting;
import io.diffusion4j.train.TrainConfig;
import io.diffusion4j.train.Trainer;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Throughput of one U-Net shape: the full step of the real {@link Trainer} (batch gather, objective,
 * forward, loss, backward, global-norm clipping, AdamW, EMA) and the forward pass alone (no gradient,
 * no dropout), on random images of Fashion-MNIST's shape. The objective is TrainMain's: ε-prediction,
 * linear β, Min-SNR-5 weights, label dropout 0.1.
 */
final class TrainBenchmark {
    /** Images in the random data set (Fashion-MNIST's training split has 60,000). */
    static final int DATA_SIZE = 60_000;
    private static final long SEED = 20_240_601L;
    /** Wall-time caps of the phases in seconds (the Java and PyTorch sides each), see {@link #time}. */
    static final double WARMUP_BUDGET_S = 20;
    static final double TRAIN_BUDGET_S = 50;
    static final double FORWARD_BUDGET_S = 15;

    /**
     * Median wall times.
     *
     * @param parameters scalar parameters of the network
     * @param trainSeconds median seconds per trainer step
     * @param forwardSeconds median seconds per forward pass
     */
    record Result(long parameters, int batch, double trainSeconds, double forwardSeconds) {
        double trainImgPerS() {
            return batch / trainSeconds;
        }

        double forwardImgPerS() {
            return batch / forwardSeconds;
        }
    }

    private TrainBenchmark() {}

    /** The objective of {@code TrainMain} for a network with {@code numClasses} classes. */
    static DiffusionObjective objective(int numClasses) {
        return new DiffusionObjective(new DiffusionObjective.Config(DiscreteVp.Config.DEFAULT, Prediction.EPSILON,
                LossWeighting.MIN_SNR, 5.0, 0.1, numClasses));
    }

    /** {@code n} random 1×28×28 images with labels in 0 … classes − 1 (at least 1 class). */
    static LabeledImages randomImages(NDManager manager, int n, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] pixels = new byte[n * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) r.nextInt(256);
        }
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(Math.max(classes, 1));
        }
        return new LabeledImages(manager, pixels, labels, 1, 28, 28, Math.max(classes, 1));
    }

    /** Times {@code steps} trainer steps and {@code forwardSteps} forward passes after {@code warmup} of each. */
    static Result run(UNetConfig net, int batch, int warmup, int steps, int forwardSteps, Consumer<String> log) {
        try (NDManager manager = NDManager.newBaseManager();
             LabeledImages data = randomImages(manager, DATA_SIZE, net.numClasses(), SEED)) {
            UNet model = Params.create(new UNet(net), manager, SEED);
            UNet ema = Params.create(new UNet(net), manager, SEED);
            TrainConfig train = TrainConfig.FASHION_MNIST.withBatchSize(batch).withSteps(1_000_000);
            double[] trainTimes;
            try (Trainer<UNet> trainer = new Trainer<>(model, ema, objective(net.numClasses()), train, data, manager)) {
                trainTimes = time(warmup, steps, TRAIN_BUDGET_S, "train step", log, trainer::step);
            }
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray x = new NoiseSource(SEED).normal(manager, new Shape(net.inChannels(), 28, 28), NoiseSource.range(0, batch), 0);
            float[] t = new float[batch];
            long[] labels = new long[batch];
            for (int i = 0; i < batch; i++) {
                t[i] = (i * 997) % 1000;
                labels[i] = i % (net.numClasses() + 1);
            }
            NDArray tt = manager.create(t);
            NDArray ll = manager.create(labels).toType(DataType.INT64, false);
            double[] forwardTimes = time(warmup, forwardSteps, FORWARD_BUDGET_S, "forward", log, () -> {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    ema.forward(ps, x, tt, net.conditional() ? ll : null, false);
                }
            });
            return new Result(Params.count(model), batch, median(trainTimes), median(forwardTimes));
        }
    }

    /**
     * Runs {@code body} {@code warmup} times, then times it {@code steps} times. On a busy machine
     * (a 2-thread engine competing with other processes slows down many-fold) the phases are cut
     * short so the whole benchmark stays within its time budget: warm-up after {@link #WARMUP_BUDGET_S}
     * (at least one run), timing after {@code budgetSeconds} (at least three runs).
     */
    static double[] time(int warmup, int steps, double budgetSeconds, String what, Consumer<String> log, Runnable body) {
        long start = System.nanoTime();
        for (int i = 0; i < warmup && (i == 0 || seconds(start) < WARMUP_BUDGET_S); i++) {
            body.run();
        }
        double[] s = new double[steps];
        int n = 0;
        start = System.nanoTime();
        while (n < steps && (n < Math.min(3, steps) || seconds(start) < budgetSeconds)) {
            long t0 = System.nanoTime();
            body.run();
            s[n++] = (System.nanoTime() - t0) / 1e9;
        }
        double[] done = Arrays.copyOf(s, n);
        log.accept(String.format(java.util.Locale.ROOT, "java %s: median %.3f s over %d (min %.3f, max %.3f)%s", what, median(done), n,
                Arrays.stream(done).min().orElse(0), Arrays.stream(done).max().orElse(0),
                n < steps ? " (cut short: the machine is busy)" : ""));
        return done;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }
}
