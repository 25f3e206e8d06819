package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;

import java.util.List;

/**
 * One sampling method: the update of a single step, as a pure function of (context, sample,
 * history). The loop, per-step memory, progress and cancellation belong to {@link SamplingLoop};
 * samplers never know what network is behind the denoiser. Implementations are immutable.
 */
public interface Sampler {

    /** The step from {@code ctx.from()} to {@code ctx.to()}. Must not close {@code x}. */
    Stepped step(StepContext ctx, NDArray x, History history);

    /** Denoiser evaluations the whole plan costs (NFE); one per step unless overridden. */
    default int evaluations(Plan plan) {
        return plan.steps();
    }

    /**
     * The noise levels at which step {@code i} of {@code plan} calls the denoiser, in call order: the
     * step's own level unless overridden (Heun-type methods add the target, KDPM2 a midpoint). The
     * diffusers-style {@link io.diffusion4j.diffusers.SchedulerRun} lists these as its timesteps.
     */
    default List<NoiseLevel> evaluationLevels(Plan plan, int i) {
        return List.of(plan.point(i));
    }

    /** Throws IllegalArgumentException when this method cannot follow {@code plan}. */
    default void checkPlan(Plan plan) {}

    /**
     * Whether this method may follow an {@linkplain Plan#inverse() inverse} plan (data → noise, e.g. DDIM
     * inversion): a deterministic step whose formula holds for a step toward more noise as well. False
     * unless a sampler declares it; {@link SamplingLoop} refuses an inverse plan otherwise.
     */
    default boolean invertible() {
        return false;
    }
}
