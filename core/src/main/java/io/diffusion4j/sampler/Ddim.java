package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.util.Check;

/**
 * DDIM (Song, Meng &amp; Ermon 2021, eq. 12): x' = α'·x̂₀ + √(1 − α'² − σ_η²)·ε̂ + σ_η·z with
 * σ_η = η·√((1 − ᾱ')/(1 − ᾱ))·√(1 − ᾱ/ᾱ') (eq. 16). η = 0 is deterministic (first order); η = 1 is
 * DDPM's ancestral step with the β̃ variance. Corresponds to diffusers' {@code DDIMScheduler.step}
 * with {@code eta}; x̂₀ is clipped or thresholded by {@code clipping} and, as diffusers does unless
 * {@code use_clipped_model_output}, ε̂ is kept from the model. Plans: {@link io.diffusion4j.schedule.Plans#ddim}.
 *
 * <p>With η = 0 the same update run toward more noise is DDIM inversion (diffusers' {@code
 * DDIMInverseScheduler.step}: x' = √ᾱ'·x̂₀ + √(1 − ᾱ')·ε̂ with ᾱ' the larger-noise level), so the sampler is
 * {@linkplain #invertible() invertible}; plans: {@link io.diffusion4j.schedule.Plans#ddimInverse}.
 *
 * @param eta η ≥ 0
 * @param clipping what to do to x̂₀
 * @param useClippedModelOutput recompute ε̂ from the clipped x̂₀ (diffusers {@code use_clipped_model_output})
 */
public record Ddim(double eta, X0Clipping clipping, boolean useClippedModelOutput) implements Sampler {
    public Ddim {
        Check.nonNegative(eta, "eta");
        Check.notNull(clipping, "clipping");
    }

    /** Deterministic DDIM without clipping. */
    public Ddim() {
        this(0.0, X0Clipping.NONE, false);
    }

    /** DDIM with η and no clipping. */
    public Ddim(double eta) {
        this(eta, X0Clipping.NONE, false);
    }

    /** True for η = 0: the deterministic step is DDIM inversion when it runs toward more noise. */
    @Override
    public boolean invertible() {
        return eta == 0;
    }

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel from = ctx.from();
        NoiseLevel to = ctx.to();
        Estimate e = ctx.denoiser().denoise(x, from, ctx.cond());
        NDArray x0 = clipping.apply(e.x0());
        NDArray eps = useClippedModelOutput ? ClippedEstimate.eps(x, x0, e, from) : e.eps();
        double abT = from.alpha() * from.alpha();
        double abPrev = to.alpha() * to.alpha();
        double variance = (1 - abPrev) / (1 - abT) * (1 - abT / abPrev);
        double std = eta * Math.sqrt(Math.max(variance, 0));
        double dirScale = Math.sqrt(Math.max(1 - abPrev - std * std, 0));
        NDArray next = Ancestral.addNoise(x0.mul(to.alpha()).add(eps.mul(dirScale)), std, ctx.noise(), 0);
        return new Stepped(next, x0, history);
    }
}
