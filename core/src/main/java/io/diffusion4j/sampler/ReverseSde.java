package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.Plan;

/**
 * Euler–Maruyama for the reverse-time SDE (Song et al. 2021, "Score-based generative modeling through
 * SDEs", eq. 6), written for any process in the variance-exploding variable x̃ = x/α, σ̃ = σ/α.
 *
 * <p>Since x̃ = x₀ + σ̃·ε, the forward process in x̃ is the VE SDE dx̃ = √(d[σ̃²]/dτ)·dw (eq. 9). With
 * τ = σ̃² as the time variable, g = 1 and the reverse SDE (eq. 6) is dx̃ = −∇log p_τ(x̃)·dτ + dw̄, the
 * score being ∇log p = −ε̂/σ̃ in x̃. One Euler–Maruyama step from σ̃ down to σ̃' (dτ = σ̃'² − σ̃²) is
 * <pre>  x̃' = x̃ − (σ̃² − σ̃'²)/σ̃ · ε̂ + √(σ̃² − σ̃'²) · z,   then x' = α'·x̃',</pre>
 * which is Song et al.'s "reverse diffusion" predictor for SMLD (App. E): its drift is twice the
 * probability-flow drift −(σ̃² − σ̃'²)/(2σ̃)·ε̂ of the same discretisation (eq. 13), its noise variance
 * σ̃² − σ̃'² the forward variance between the levels. It is first order in the weak sense. In the
 * ancestral form of {@link Ancestral}: σ̃_down = σ̃'²/σ̃, σ_up = √(σ̃² − σ̃'²).
 *
 * <p>A step to σ̃' = 0 adds no noise and lands on x̂₀ (Song et al.'s final denoising step). diffusers'
 * {@code ScoreSdeVeScheduler.step_pred} is this update for VE models (α = 1, score from the network);
 * for other processes diffusers has no reverse-SDE scheduler.
 * Plans: {@link io.diffusion4j.schedule.Plans#euler}, {@code Plans.karras}, {@code Plans.uniform},
 * {@code Plans.ddim}, … with α &gt; 0 at every level.
 */
public record ReverseSde() implements Sampler {

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        Estimate e = ctx.denoiser().denoise(x, ctx.from(), ctx.cond());
        double s = ctx.from().veSigma();
        double next = ctx.to().veSigma();
        double up = ctx.to().isClean() ? 0 : Math.sqrt(Math.max(s * s - next * next, 0));
        return new Stepped(Ancestral.step(ctx, x, e.eps(), next * next / s, up), e.x0(), history);
    }

    @Override
    public void checkPlan(Plan plan) {
        VeSteps.requireFiniteVeSigma(plan, "reverse SDE");
    }
}
