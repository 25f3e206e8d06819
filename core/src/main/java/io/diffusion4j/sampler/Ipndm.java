package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;

/**
 * Improved pseudo linear multistep sampling (iPNDM; Zhang &amp; Chen 2023, "Fast Sampling of Diffusion
 * Models with Exponential Integrator", the variant of Liu et al.'s PLMS without Runge–Kutta warm-up): the
 * equal-step Adams–Bashforth combination ε̄ of the noise estimates at the step's level and up to three
 * previous ones (orders 1, 2, 3, 4 as the history grows, weights as in {@link Pndm}), moved with the DDIM
 * transfer: x̂₀ = (x − σ·ε̄)/max(α, 10⁻⁸), x' = α'·x̂₀ + σ'·ε̄. The guard on α lets a plan start at α = 0
 * (pure noise), where diffusers' schedule starts: there ε̂ = x exactly, so the first x̂₀ is 0 whatever the
 * model says. Deterministic, one denoiser call per step.
 *
 * <p>Corresponds to diffusers' {@code IPNDMScheduler}, whose model is a v-prediction model on the
 * continuous cosine schedule α = cos(πt/2), σ = sin(πt/2) ({@code ets = sample·σ + model_output·α} is
 * ε̂ of v) and whose N levels have σ_i = sin²(π s_i/2), s_i = 1 − i/N (see {@code ClassicSchedulers} in
 * the diffusers package for that plan). Any plan works: what is combined is ε̂, whatever the prediction.
 */
public record Ipndm() implements Sampler {
    /** diffusers' floor on α in the x̂₀ division. */
    static final double MIN_ALPHA = 1e-8;

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel from = ctx.from();
        NoiseLevel to = ctx.to();
        Estimate e = ctx.denoiser().denoise(x, from, ctx.cond());
        NDArray eps = Pndm.adamsBashforth(e.eps(), history);
        NDArray x0 = x.sub(eps.mul(from.sigma())).div(Math.max(from.alpha(), MIN_ALPHA));
        NDArray out = x0.mul(to.alpha()).add(eps.mul(to.sigma()));
        return new Stepped(out, e.x0(), history.push(e.eps(), from, Pndm.WARM_UP));
    }

    @Override
    public void checkPlan(Plan plan) {
        if (!plan.isChained()) {
            throw new IllegalArgumentException("ipndm combines the outputs of consecutive levels and needs a chained plan");
        }
    }
}
