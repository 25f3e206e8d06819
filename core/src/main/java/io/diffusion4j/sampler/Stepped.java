package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;

/**
 * The result of one step.
 *
 * @param x the sample at the step's target level
 * @param x0 the step's estimate of the clean sample (for observers and trajectories)
 * @param history what the next step should remember
 */
public record Stepped(NDArray x, NDArray x0, History history) {}
