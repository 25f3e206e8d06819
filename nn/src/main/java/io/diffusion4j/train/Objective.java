package io.diffusion4j.train;

import ai.djl.ndarray.NDArray;

/**
 * Turns a clean batch into what the network is trained on. All randomness (times, noise, label
 * dropout) is a pure function of (seed, step), so a resumed run draws exactly what the uninterrupted
 * run would have drawn.
 */
public interface Objective {
    /**
     * @param x0 clean samples (N, …): images (N, C, H, W) in [−1, 1], or any per-sample shape such as (N, D)
     * @param labels int64 (N,) class labels, or null for unconditional training
     * @param seed the run's seed
     * @param step the optimisation step (0-based)
     * @return the network input, its conditioning, the regression target and per-row weights,
     *     owned by x0's manager
     */
    TrainingBatch prepare(NDArray x0, NDArray labels, long seed, long step);

    /**
     * The scalar loss of the network's output on a prepared batch; by default the per-row weighted mean
     * squared error mean_i w_i·mean_j (out_ij − target_ij)² of regression objectives.
     */
    default NDArray loss(NDArray output, TrainingBatch batch) {
        long n = output.getShape().get(0);
        return output.sub(batch.target()).square().reshape(n, -1).mean(new int[] {1}).mul(batch.weight()).mean();
    }
}
