package io.diffusion4j.guidance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.util.Check;

/**
 * Classifier-free guidance (Ho &amp; Salimans 2022) as a {@link Denoiser} around a class-conditional one.
 *
 * <p>Scale s follows diffusers' {@code guidance_scale}: ε̃ = ε_u + s·(ε_c − ε_u), so s = 1 is the plain
 * conditional model and s = 1 + w in the paper's notation. Guidance on x̂₀ is the same affine map. At
 * s ≤ 1 only the conditional branch runs (one network call, as diffusers' pipelines do); at s &gt; 1
 * both branches go through the inner denoiser in one batched call of 2N rows, the unconditional half
 * labelled {@code nullLabel}.
 *
 * <p>{@code rescale} is diffusers' {@code guidance_rescale} φ (Lin et al. 2023, §3.4): the guided
 * output is rescaled per sample to the standard deviation of the conditional output and mixed,
 * φ·rescaled + (1 − φ)·guided. diffusers rescales the raw model output, so the rescaling happens in the
 * space of {@code rescaleSpace} — the network's {@link Prediction} (ε for ε-models, v for v-models) —
 * and the estimate is converted back from there.
 *
 * <p>{@code interval} limits guidance to a range of noise levels (Kynkäänniemi et al. 2024, "Applying
 * Guidance in a Limited Interval Improves Sample and Distribution Quality in Diffusion Models"): outside
 * it only the conditional branch runs, as at s = 1. At high noise guidance mostly pulls samples towards
 * a few typical layouts, at low noise it does little; in between it does the useful work. On the bundled
 * Fashion-MNIST model, DPM++ 2M with 20 steps at s = 3, the paper's EDM2 interval σ/α ∈ (0.28, 5.42]
 * brought FD from 8.91× to 4.48× the train-vs-test floor and recall from 0.595 to 0.72, with class
 * accuracy 0.981 against 0.9915, using 30 network calls per image instead of 40 (docs/quality.md).
 * diffusers' pipelines have no such option, so the default is {@link Interval#ALWAYS}.
 *
 * @param inner the class-conditional denoiser
 * @param scale guidance scale s ≥ 0 (1 = no guidance)
 * @param nullLabel the unconditional label (the model's {@code numClasses})
 * @param rescale guidance rescale φ in [0, 1] (0 = off)
 * @param rescaleSpace the prediction type whose output is rescaled (the network's)
 * @param interval the noise levels where guidance applies
 */
public record ClassifierFreeGuidance(Denoiser inner, double scale, long nullLabel, double rescale, Prediction rescaleSpace,
                                     Interval interval) implements Denoiser {
    /**
     * Noise levels σ/α in (low, high] (σ/α is the σ of the variance-exploding form, Karras et al.'s σ),
     * where guidance applies; with low = 0 the clean level σ = 0 belongs too, so {@link #ALWAYS} is every
     * level.
     *
     * @param low lower end, excluded, ≥ 0
     * @param high upper end, included, &gt; low (may be infinite)
     */
    public record Interval(double low, double high) {
        /** Every level: plain classifier-free guidance. */
        public static final Interval ALWAYS = new Interval(0, Double.POSITIVE_INFINITY);

        public Interval {
            if (!(low >= 0) || Double.isInfinite(low) || !(high > low)) {
                throw new IllegalArgumentException("guidance interval must have 0 <= low < high, got (" + low + ", " + high + "]");
            }
        }

        /** Whether guidance applies at {@code level}. */
        public boolean contains(NoiseLevel level) {
            double sigma = level.veSigma();
            return (sigma > low || low == 0 && sigma == 0) && sigma <= high;
        }

        /** "(low, high]", as a message or summary shows it. */
        public String describe() {
            return "(" + low + ", " + (Double.isInfinite(high) ? "inf" : String.valueOf(high)) + "]";
        }
    }

    public ClassifierFreeGuidance {
        Check.notNull(inner, "inner denoiser");
        Check.nonNegative(scale, "guidance scale");
        Check.inRange(rescale, 0.0, 1.0, "guidance_rescale");
        Check.oneOf(rescaleSpace, Prediction.values(), "rescale prediction type");
        if (nullLabel < 0) {
            throw new IllegalArgumentException("null label must be >= 0, got " + nullLabel);
        }
        Check.notNull(interval, "guidance interval");
    }

    /** Guidance at every noise level. */
    public ClassifierFreeGuidance(Denoiser inner, double scale, long nullLabel, double rescale, Prediction rescaleSpace) {
        this(inner, scale, nullLabel, rescale, rescaleSpace, Interval.ALWAYS);
    }

    /** Guidance without rescaling. */
    public ClassifierFreeGuidance(Denoiser inner, double scale, long nullLabel) {
        this(inner, scale, nullLabel, 0.0, Prediction.EPSILON);
    }

    /** The same guidance, applied only at the noise levels of {@code limits}. */
    public ClassifierFreeGuidance within(Interval limits) {
        return new ClassifierFreeGuidance(inner, scale, nullLabel, rescale, rescaleSpace, limits);
    }

    @Override
    public Estimate denoise(NDArray x, NoiseLevel level, Conditioning cond) {
        if (!cond.hasLabels()) {
            throw new IllegalArgumentException("classifier-free guidance needs class labels");
        }
        if (scale <= 1.0 || !interval.contains(level)) {
            return inner.denoise(x, level, cond);
        }
        long n = x.getShape().get(0);
        NDManager m = x.getManager();
        NDArray nulls = m.full(cond.labels().getShape(), nullLabel).toType(DataType.INT64, false);
        NDArray both = NDArrays.concat(new NDList(x, x));
        NDArray labels = NDArrays.concat(new NDList(cond.labels().toType(DataType.INT64, false), nulls));
        Estimate e = inner.denoise(both, level, Conditioning.labels(labels));
        NDList eps = e.eps().split(new long[] {n});
        NDList x0 = e.x0().split(new long[] {n});
        NDArray epsC = eps.get(0);
        NDArray epsG = eps.get(1).add(epsC.sub(eps.get(1)).mul(scale));
        NDArray x0G = x0.get(1).add(x0.get(0).sub(x0.get(1)).mul(scale));
        if (rescale == 0.0 || level.alpha() == 0) {
            return new Estimate(x0G, epsG);
        }
        NDArray outC = rescaleSpace.target(x0.get(0), epsC, level);
        NDArray outG = rescaleSpace.target(x0G, epsG, level);
        NDArray rescaled = outG.mul(std(outC).div(std(outG)));
        return rescaleSpace.toEstimate(rescaled.mul(rescale).add(outG.mul(1 - rescale)), x, level);
    }

    /** Per-sample standard deviation over all but the batch axis, shaped to broadcast. */
    private static NDArray std(NDArray a) {
        long n = a.getShape().get(0);
        NDArray flat = a.reshape(n, -1);
        NDArray mean = flat.mean(new int[] {1}, true);
        NDArray var = flat.sub(mean).square().sum(new int[] {1}, true).div(flat.getShape().get(1) - 1);
        long[] dims = new long[a.getShape().dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = n;
        return var.sqrt().reshape(new ai.djl.ndarray.types.Shape(dims));
    }
}
