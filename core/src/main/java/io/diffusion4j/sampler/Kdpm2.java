package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;

import java.util.List;

/**
 * The second-order "DPM2" sampler of k-diffusion ({@code sample_dpm_2}: Lu et al. 2022's DPM-Solver-2
 * with its intermediate point taken at the log-σ midpoint, on the ODE of Karras et al. 2022) in the
 * variance-exploding variable x̃ = x/α, σ̃ = σ/α: an Euler step with the slope d = ε̂(x, σ̃) to the midpoint in log σ̃,
 * σ̃_mid = √(σ̃·σ̃'), then the whole step with the slope found there: x̃' = x̃ + (σ̃' − σ̃)·ε̂(x_mid, σ̃_mid).
 * A step to σ' = 0 is a plain Euler step (it lands on x̂₀; the midpoint would be σ = 0 too). The
 * midpoint level comes from the plan's schedule ({@link io.diffusion4j.schedule.NoiseSchedule#atVeSigma}:
 * on a discrete VP table its time is the log-σ interpolation diffusers uses). Deterministic, second
 * order, two denoiser calls per step (one for the step to σ = 0).
 *
 * <p>Corresponds to diffusers' {@code KDPM2DiscreteScheduler}, whose interleaved timesteps t₀, t_mid(1),
 * t₁, t_mid(2), t₂, … are this sampler's {@link #evaluationLevels}; each pair of its {@code step} calls is
 * one step here, and the step's x̂₀ is the one of the midpoint evaluation, as diffusers returns it.
 */
public record Kdpm2() implements Sampler {

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel from = ctx.from();
        NoiseLevel to = ctx.to();
        Estimate e = ctx.denoiser().denoise(x, from, ctx.cond());
        if (to.isClean()) {
            return new Stepped(VeSteps.move(x, from, to, e.eps()), e.x0(), history);
        }
        NoiseLevel mid = midpoint(ctx.plan(), from, to);
        NDArray atMid = VeSteps.move(x, from, mid, e.eps());
        Estimate m = ctx.denoiser().denoise(atMid, mid, ctx.cond());
        return new Stepped(VeSteps.move(x, from, to, m.eps()), m.x0(), history);
    }

    /** The level at σ̃_mid = √(σ̃·σ̃') (exp of the mean of log σ̃) of the plan's schedule. */
    static NoiseLevel midpoint(Plan plan, NoiseLevel from, NoiseLevel to) {
        return plan.schedule().atVeSigma(Math.sqrt(from.veSigma() * to.veSigma()));
    }

    /** Two denoiser calls per step, one for a step to σ = 0: 2N − 1 on a plan that ends clean. */
    @Override
    public int evaluations(Plan plan) {
        return VeSteps.evaluations(plan, 2);
    }

    /** The step's own level, then the midpoint unless the step ends clean. */
    @Override
    public List<NoiseLevel> evaluationLevels(Plan plan, int i) {
        NoiseLevel from = plan.point(i);
        NoiseLevel to = plan.target(i);
        return to.isClean() ? List.of(from) : List.of(from, midpoint(plan, from, to));
    }

    @Override
    public void checkPlan(Plan plan) {
        VeSteps.requireFiniteVeSigma(plan, "kdpm2");
    }
}
