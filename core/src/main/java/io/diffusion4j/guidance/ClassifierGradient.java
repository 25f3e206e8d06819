package io.diffusion4j.guidance;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.schedule.NoiseLevel;

/** ∇_x log p(y | x) of a noise-aware classifier at a level, same shape as x. */
@FunctionalInterface
public interface ClassifierGradient {
    /**
     * @param x noisy samples (N, …) in the schedule's scaling
     * @param level their noise level
     * @param labels int64 (N,) target classes
     */
    NDArray gradLogProb(NDArray x, NoiseLevel level, NDArray labels);
}
