package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;

import java.util.List;

/**
 * The moves shared by the k-diffusion-style solvers ({@link Euler}, {@link Heun}, {@link
 * ProbabilityFlowOde}), which integrate the probability-flow ODE in the variance-exploding variable
 * x̃ = x/α with noise level σ̃ = σ/α: there dx̃/dσ̃ = ε̂ (Karras et al. 2022, eq. 4 with s = 1), so every
 * stage is "x̃ plus a multiple of ε̂", taken back to the native scaling x = α·x̃ of the target level.
 */
final class VeSteps {
    private VeSteps() {}

    /**
     * The sample at level {@code to} reached from x at level {@code from} with VE slope {@code d}:
     * α'·(x/α + (σ̃' − σ̃)·d). With d = ε̂ and σ' = 0 this is x̂₀ (up to round-off).
     */
    static NDArray move(NDArray x, NoiseLevel from, NoiseLevel to, NDArray d) {
        double ratio = to.alpha() / from.alpha();
        double dsigma = to.alpha() * (to.veSigma() - from.veSigma());
        return x.mul(ratio).add(d.mul(dsigma));
    }

    /** The VE slope dx̃/dσ̃ = ε̂ at x, a sample at {@code level}. */
    static NDArray slope(StepContext ctx, NDArray x, NoiseLevel level) {
        return ctx.denoiser().denoise(x, level, ctx.cond()).eps();
    }

    /**
     * Denoiser calls of a single-step solver that costs {@code perStep} calls per step and 1 for a step
     * to σ = 0 (where it falls back to Euler); shared with {@link FlowHeun}.
     */
    static int evaluations(Plan plan, int perStep) {
        int n = 0;
        for (NoiseLevel target : plan.targets()) {
            n += target.isClean() ? 1 : perStep;
        }
        return n;
    }

    /** The levels of a Heun-type step: its own, and the target unless the target is clean (then an Euler step). */
    static List<NoiseLevel> heunLevels(Plan plan, int i) {
        return plan.target(i).isClean() ? List.of(plan.point(i)) : List.of(plan.point(i), plan.target(i));
    }

    /** Refuses plans with a level of α = 0 (σ̃ = ∞, e.g. rectified flow at t = 1), where x̃ is undefined. */
    static void requireFiniteVeSigma(Plan plan, String method) {
        for (int i = 0; i < plan.steps(); i++) {
            if (!(plan.point(i).alpha() > 0)) {
                throw new IllegalArgumentException(method + " integrates in x/alpha and needs alpha > 0 at every level, but step "
                        + i + " has alpha = " + plan.point(i).alpha() + " (t = " + plan.point(i).t()
                        + "); start the plan below t_max or use a flow sampler (flow-euler, flow-heun) on rectified-flow plans");
            }
        }
    }
}
