package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

/**
 * Euler ancestral sampling (k-diffusion {@code sample_euler_ancestral}; diffusers {@code
 * EulerAncestralDiscreteScheduler}) in the variance-exploding variable x̃ = x/α, σ̃ = σ/α: from σ̃ to σ̃'
 * the step splits into σ_up = min(σ̃', η·√(σ̃'²(σ̃² − σ̃'²)/σ̃²)) of fresh noise and σ_down = √(σ̃'² − σ_up²),
 * and x̃' = x̃ + (σ_down − σ̃)·ε̂ + σ_up·z (Euler to σ_down, then noise up to σ̃'); x' = α'·x̃'. With η = 1
 * each step samples the DDPM posterior of the two levels; η = 0 is the deterministic Euler step. A
 * step to σ̃' = 0 adds no noise and lands on x̂₀.
 *
 * <p>Plans: {@link io.diffusion4j.schedule.Plans#euler} ({@code timestep_spacing}, and {@code karras =
 * true} for the "Euler a Karras" σ option), {@code Plans.karras}, or any plan with α &gt; 0 at its
 * levels. diffusers has no η (it is 1) and k-diffusion's {@code s_noise} is not offered; η &gt; 1 is
 * capped at σ_up = σ̃' as in k-diffusion.
 *
 * @param eta η ≥ 0: 1 is ancestral sampling, 0 is Euler
 */
public record EulerAncestral(double eta) implements Sampler {
    public EulerAncestral {
        Check.nonNegative(eta, "eta");
    }

    /** η = 1, as diffusers. */
    public EulerAncestral() {
        this(1.0);
    }

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        Estimate e = ctx.denoiser().denoise(x, ctx.from(), ctx.cond());
        double s = ctx.from().veSigma();
        double next = ctx.to().veSigma();
        double up = Math.min(next, eta * Math.sqrt(next * next * Math.max(s * s - next * next, 0) / (s * s)));
        double down = Math.sqrt(next * next - up * up);
        return new Stepped(Ancestral.step(ctx, x, e.eps(), down, up), e.x0(), history);
    }

    @Override
    public void checkPlan(Plan plan) {
        VeSteps.requireFiniteVeSigma(plan, "euler-ancestral");
    }
}
