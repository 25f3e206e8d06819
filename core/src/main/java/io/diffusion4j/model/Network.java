package io.diffusion4j.model;

import ai.djl.ndarray.NDArray;

/**
 * A raw network call: (x, t, labels) → output in the network's {@link Prediction}. {@code t} is a
 * float32 array of shape (N,) holding each row's schedule time, in the schedule's unit: the timestep
 * index 0 … T−1 for {@link io.diffusion4j.schedule.DiscreteVp} (fractional on Euler-type plans, as in
 * diffusers), t ∈ [0, 1] for {@link io.diffusion4j.schedule.RectifiedFlow} (diffusers' flow pipelines
 * pass σ·1000: scale inside the network adapter of such a model), and σ for
 * {@link io.diffusion4j.schedule.KarrasSigmas}. {@code labels} is int64 (N,) or null.
 */
@FunctionalInterface
public interface Network {
    NDArray apply(NDArray x, NDArray t, NDArray labels);
}
