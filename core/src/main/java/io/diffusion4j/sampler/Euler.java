package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.Plan;

/**
 * Euler's method on the probability-flow ODE in the variance-exploding variable (Karras et al. 2022,
 * "Elucidating the design space", Alg. 1 without the Heun correction; k-diffusion {@code
 * sample_euler}): with x̃ = x/α and σ̃ = σ/α, d = (x̃ − x̂₀)/σ̃ = ε̂ and x̃' = x̃ + (σ̃' − σ̃)·d; the result
 * is returned in the native scaling x' = α'·x̃'. Deterministic, first order; one denoiser call per step.
 *
 * <p>Corresponds to diffusers' {@code EulerDiscreteScheduler} with {@code s_churn = 0} (the default),
 * on plans of {@link io.diffusion4j.schedule.Plans#euler} ({@code timestep_spacing}, {@code
 * use_karras_sigmas}); it follows any plan whose levels have α &gt; 0 ({@code Plans.karras},
 * {@code Plans.uniform}, …). In exact arithmetic this update equals deterministic DDIM and first-order
 * DPM-Solver++: the three differ only in where the plan puts the levels.
 */
public record Euler() implements Sampler {

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        Estimate e = ctx.denoiser().denoise(x, ctx.from(), ctx.cond());
        return new Stepped(VeSteps.move(x, ctx.from(), ctx.to(), e.eps()), e.x0(), history);
    }

    @Override
    public void checkPlan(Plan plan) {
        VeSteps.requireFiniteVeSigma(plan, "euler");
    }
}
