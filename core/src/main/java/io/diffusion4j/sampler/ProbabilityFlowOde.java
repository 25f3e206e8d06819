package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;

/**
 * The probability-flow ODE of Song et al. 2021 ("Score-based generative modeling through SDEs",
 * eq. 13), integrated with the classical fourth-order Runge–Kutta method in the variance-exploding
 * variable: with x̃ = x/α and σ̃ = σ/α the ODE reads dx̃/dσ̃ = ε̂(x̃, σ̃) (Karras et al. 2022, eq. 4), for
 * any process. For a step σ̃ → σ̃' = σ̃ + h the slopes are k₁ at σ̃, k₂ and k₃ at the midpoint σ̃ + h/2
 * (its level and schedule time from {@link io.diffusion4j.schedule.NoiseSchedule#atVeSigma}) and k₄ at
 * σ̃', and x̃' = x̃ + h·(k₁ + 2k₂ + 2k₃ + k₄)/6. Deterministic, fourth order; 4 denoiser calls per step.
 *
 * <p>A step to σ' = 0 is a single Euler step, which lands on x̂₀: the slope ε̂ is undefined at σ = 0,
 * so RK4 stages cannot be evaluated there (the same choice as {@link Heun}). Song et al. used an
 * adaptive RK45 solver (scipy); a fixed plan keeps the cost known. diffusers has no such scheduler.
 * Plans: {@link io.diffusion4j.schedule.Plans#uniform}, {@code Plans.karras}, {@code Plans.euler}, ….
 */
public record ProbabilityFlowOde() implements Sampler {

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel from = ctx.from();
        NoiseLevel to = ctx.to();
        Estimate e = ctx.denoiser().denoise(x, from, ctx.cond());
        NDArray k1 = e.eps();
        if (to.isClean()) {
            return new Stepped(VeSteps.move(x, from, to, k1), e.x0(), history);
        }
        double mid = 0.5 * (from.veSigma() + to.veSigma());
        NoiseLevel half = ctx.plan().schedule().atVeSigma(mid);
        NDArray k2 = VeSteps.slope(ctx, VeSteps.move(x, from, half, k1), half);
        NDArray k3 = VeSteps.slope(ctx, VeSteps.move(x, from, half, k2), half);
        NDArray k4 = VeSteps.slope(ctx, VeSteps.move(x, from, to, k3), to);
        NDArray slope = k1.add(k2.add(k3).mul(2)).add(k4).div(6);
        return new Stepped(VeSteps.move(x, from, to, slope), e.x0(), history);
    }

    /** Four denoiser calls per step, one for a step to σ = 0. */
    @Override
    public int evaluations(Plan plan) {
        return VeSteps.evaluations(plan, 4);
    }

    @Override
    public void checkPlan(Plan plan) {
        VeSteps.requireFiniteVeSigma(plan, "probability-flow ODE");
    }
}
