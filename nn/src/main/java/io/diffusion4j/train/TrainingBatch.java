package io.diffusion4j.train;

import ai.djl.ndarray.NDArray;

/**
 * One batch as the network sees it; the loss is mean_r weight_r · mean((net(input, t, labels) − target)²).
 *
 * @param input noisy input x_t (N, C, H, W)
 * @param t schedule times (N,) float32 (timestep indices for discrete schedules)
 * @param labels int64 (N,) with dropped labels replaced by the null label, or null
 * @param target regression target, same shape as input
 * @param weight per-row loss weights (N,) float32
 */
public record TrainingBatch(NDArray input, NDArray t, NDArray labels, NDArray target, NDArray weight) {}
