package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;

import java.util.List;

/**
 * Heun's second-order method on the probability-flow ODE in the variance-exploding variable x̃ = x/α,
 * σ̃ = σ/α (Karras et al. 2022, Alg. 1 with S_churn = 0; k-diffusion {@code sample_heun}): an Euler
 * predictor x̃* = x̃ + (σ̃' − σ̃)·d with d = ε̂(x, σ̃), then the slope d' = ε̂(x*, σ̃') at the target and
 * x̃' = x̃ + (σ̃' − σ̃)·(d + d')/2. A step to σ' = 0 is a plain Euler step (which lands on x̂₀), because
 * the slope at σ = 0 is undefined. Deterministic, second order.
 *
 * <p>Corresponds to diffusers' {@code HeunDiscreteScheduler} (σ list s₀, s₁, s₁, …, s_{N−1}, s_{N−1}, 0:
 * each of its pairs of {@code step} calls is one step here) on plans of {@link
 * io.diffusion4j.schedule.Plans#euler}; any plan with α &gt; 0 at its levels works.
 */
public record Heun() implements Sampler {

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel from = ctx.from();
        NoiseLevel to = ctx.to();
        Estimate e = ctx.denoiser().denoise(x, from, ctx.cond());
        NDArray predicted = VeSteps.move(x, from, to, e.eps());
        if (to.isClean()) {
            return new Stepped(predicted, e.x0(), history);
        }
        NDArray slopeAtTarget = VeSteps.slope(ctx, predicted, to);
        NDArray averaged = e.eps().add(slopeAtTarget).mul(0.5);
        return new Stepped(VeSteps.move(x, from, to, averaged), e.x0(), history);
    }

    /** Two denoiser calls per step, one for a step to σ = 0: 2N − 1 on a plan that ends clean. */
    @Override
    public int evaluations(Plan plan) {
        return VeSteps.evaluations(plan, 2);
    }

    @Override
    public List<NoiseLevel> evaluationLevels(Plan plan, int i) {
        return VeSteps.heunLevels(plan, i);
    }

    @Override
    public void checkPlan(Plan plan) {
        VeSteps.requireFiniteVeSigma(plan, "heun");
    }
}
