package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.RectifiedFlow;

/**
 * Euler's method on the flow-matching ODE dx/dσ = u of a rectified flow x = (1 − σ)·x₀ + σ·ε (Liu et
 * al. 2022; Lipman et al. 2022; Esser et al. 2024 for the shifted plans): the velocity u = ε̂ − x̂₀
 * and x' = x + (σ' − σ)·u. Deterministic, first order; one denoiser call per step; a step to σ' = 0
 * lands on x̂₀.
 *
 * <p>Corresponds to diffusers' {@code FlowMatchEulerDiscreteScheduler} ({@code shift}; {@code
 * stochastic_sampling = false}) on plans of {@link io.diffusion4j.schedule.Plans#flowMatch}. Needs a
 * {@link RectifiedFlow} plan: on other processes the velocity is not dx/dσ.
 */
public record FlowEuler() implements Sampler {

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        Estimate e = ctx.denoiser().denoise(x, ctx.from(), ctx.cond());
        return new Stepped(move(x, ctx.from(), ctx.to(), velocity(e)), e.x0(), history);
    }

    @Override
    public void checkPlan(Plan plan) {
        requireRectifiedFlow(plan, "flow-euler");
    }

    /** The flow velocity u = ε̂ − x̂₀ = dx/dσ. */
    static NDArray velocity(Estimate e) {
        return e.eps().sub(e.x0());
    }

    /** x + (σ' − σ)·u. */
    static NDArray move(NDArray x, NoiseLevel from, NoiseLevel to, NDArray u) {
        return x.add(u.mul(to.sigma() - from.sigma()));
    }

    /** Refuses a plan whose schedule is not a rectified flow. */
    static void requireRectifiedFlow(Plan plan, String method) {
        if (!(plan.schedule() instanceof RectifiedFlow)) {
            throw new IllegalArgumentException(method + " needs a rectified-flow plan (Plans.flowMatch), got a plan on "
                    + plan.schedule().getClass().getSimpleName() + "; use euler, heun or dpm++ for this schedule");
        }
    }
}
