package io.diffusion4j.train;

import io.diffusion4j.util.Check;

/**
 * Optimisation settings.
 *
 * @param steps total optimisation steps
 * @param batchSize images per step
 * @param lr peak learning rate
 * @param warmupSteps linear warm-up from lr/warmup to lr over this many steps (0 = none)
 * @param cosine cosine decay to 0 at {@code steps} after warm-up (else constant)
 * @param weightDecay AdamW's decoupled weight decay (Loshchilov &amp; Hutter 2019)
 * @param beta1 Adam β₁
 * @param beta2 Adam β₂
 * @param adamEps Adam ε (added to √v̂ as in PyTorch)
 * @param gradClip global gradient-norm bound (≤ 0 = no clipping)
 * @param emaDecay EMA decay ceiling; the decay at step s is min(emaDecay, (1 + s)/(10 + s))
 * @param seed seed of every random draw of the run
 * @param maxBadSteps stop after this many consecutive steps with a non-finite loss or gradient
 */
public record TrainConfig(long steps, int batchSize, double lr, long warmupSteps, boolean cosine, double weightDecay,
                          double beta1, double beta2, double adamEps, double gradClip, double emaDecay, long seed,
                          int maxBadSteps) {
    /** The Fashion-MNIST run of the training issue: 30,000 steps of 128, lr 2e-4, warm-up 500 then cosine. */
    public static final TrainConfig FASHION_MNIST =
            new TrainConfig(30_000, 128, 2e-4, 500, true, 0.01, 0.9, 0.999, 1e-8, 1.0, 0.9999, 20_240_601L, 10);

    public TrainConfig {
        if (steps <= 0) {
            throw new IllegalArgumentException("steps must be > 0, got " + steps);
        }
        Check.positive(batchSize, "batch size");
        Check.positive(lr, "learning rate");
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        }
        Check.nonNegative(weightDecay, "weight decay");
        Check.inRange(beta1, 0.0, 0.999999, "beta1");
        Check.inRange(beta2, 0.0, 0.999999999, "beta2");
        Check.positive(adamEps, "adam epsilon");
        Check.finite(gradClip, "gradient clip");
        Check.inRange(emaDecay, 0.0, 1.0, "ema decay");
        Check.positive(maxBadSteps, "max bad steps");
    }

    /** The learning rate at step s (0-based): linear warm-up, then cosine to zero (or constant). */
    public double lr(long step) {
        if (step < warmupSteps) {
            return lr * (step + 1) / warmupSteps;
        }
        if (!cosine || steps <= warmupSteps) {
            return lr;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (steps - warmupSteps));
        return lr * 0.5 * (1 + StrictMath.cos(Math.PI * progress));
    }

    /** The EMA decay at step s: min(emaDecay, (1 + s)/(10 + s)) (the warm-up of TensorFlow's ExponentialMovingAverage with num_updates). */
    public double emaDecay(long step) {
        return Math.min(emaDecay, (1.0 + step) / (10.0 + step));
    }

    /** The same settings with another step count. */
    public TrainConfig withSteps(long s) {
        return new TrainConfig(s, batchSize, lr, warmupSteps, cosine, weightDecay, beta1, beta2, adamEps, gradClip, emaDecay, seed, maxBadSteps);
    }

    /** The same settings with another batch size. */
    public TrainConfig withBatchSize(int b) {
        return new TrainConfig(steps, b, lr, warmupSteps, cosine, weightDecay, beta1, beta2, adamEps, gradClip, emaDecay, seed, maxBadSteps);
    }

    /** The same settings with another warm-up. */
    public TrainConfig withWarmup(long w) {
        return new TrainConfig(steps, batchSize, lr, w, cosine, weightDecay, beta1, beta2, adamEps, gradClip, emaDecay, seed, maxBadSteps);
    }

    /** The same settings with another seed. */
    public TrainConfig withSeed(long s) {
        return new TrainConfig(steps, batchSize, lr, warmupSteps, cosine, weightDecay, beta1, beta2, adamEps, gradClip, emaDecay, s, maxBadSteps);
    }
}
