package io.diffusion4j.sampler;

import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;

/**
 * Everything one step may use besides the sample and the history.
 *
 * @param denoiser the (possibly guided) denoiser
 * @param plan the whole plan
 * @param index this step's index i, 0 … N−1
 * @param cond conditioning of the batch
 * @param noise noise for stochastic steps
 */
public record StepContext(Denoiser denoiser, Plan plan, int index, Conditioning cond, StepNoise noise) {
    /** The level this step evaluates at. */
    public NoiseLevel from() {
        return plan.point(index);
    }

    /** The level this step ends at. */
    public NoiseLevel to() {
        return plan.target(index);
    }

    /** Whether this is the last step. */
    public boolean isLast() {
        return index == plan.steps() - 1;
    }

    /** Number of steps N. */
    public int steps() {
        return plan.steps();
    }
}
