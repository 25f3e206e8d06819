package io.diffusion4j.model;

import ai.djl.ndarray.NDArray;

/**
 * A raw network call: (x, t, labels) → output in the network's {@link Prediction}. {@code t} is a
 * float32 array of shape (N,) holding each row's schedule time; {@code labels} is int64 (N,) or null.
 */
@FunctionalInterface
public interface Network {
    NDArray apply(NDArray x, NDArray t, NDArray labels);
}
