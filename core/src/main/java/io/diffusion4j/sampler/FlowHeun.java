package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;

import java.util.List;

/**
 * Heun's second-order method on the flow-matching ODE dx/dσ = u of a rectified flow: an Euler
 * predictor x* = x + (σ' − σ)·u with u = ε̂ − x̂₀ at σ, the velocity u' at (x*, σ'), then
 * x' = x + (σ' − σ)·(u + u')/2. A step to σ' = 0 is a plain Euler step, as in diffusers. Deterministic,
 * second order; two denoiser calls per step, one for the step to σ = 0.
 *
 * <p>Corresponds to diffusers' {@code FlowMatchHeunDiscreteScheduler} (each pair of its {@code step}
 * calls is one step here) on plans of {@link io.diffusion4j.schedule.Plans#flowMatch}. Needs a
 * {@link io.diffusion4j.schedule.RectifiedFlow} plan.
 */
public record FlowHeun() implements Sampler {

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel from = ctx.from();
        NoiseLevel to = ctx.to();
        Estimate e = ctx.denoiser().denoise(x, from, ctx.cond());
        NDArray u = FlowEuler.velocity(e);
        NDArray predicted = FlowEuler.move(x, from, to, u);
        if (to.isClean()) {
            return new Stepped(predicted, e.x0(), history);
        }
        NDArray uAtTarget = FlowEuler.velocity(ctx.denoiser().denoise(predicted, to, ctx.cond()));
        return new Stepped(FlowEuler.move(x, from, to, u.add(uAtTarget).mul(0.5)), e.x0(), history);
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
        FlowEuler.requireRectifiedFlow(plan, "flow-heun");
    }
}
