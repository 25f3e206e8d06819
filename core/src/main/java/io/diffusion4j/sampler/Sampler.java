package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.schedule.Plan;

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

    /** Throws IllegalArgumentException when this method cannot follow {@code plan}. */
    default void checkPlan(Plan plan) {}
}
