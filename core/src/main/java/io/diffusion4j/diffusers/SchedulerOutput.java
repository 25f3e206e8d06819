package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;

/**
 * What one {@code step} returns (diffusers' {@code SchedulerOutput}).
 *
 * @param prevSample the sample for the next model call (or the result after the last), in the scheduler's
 *     {@link SampleSpace}
 * @param predOriginalSample the step's estimate of the clean sample x̂₀
 */
public record SchedulerOutput(NDArray prevSample, NDArray predOriginalSample) {}
