package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.schedule.NoiseLevel;

/**
 * The noisy moves shared by the stochastic samplers. An ancestral step in the variance-exploding
 * variable x̃ = x/α, σ̃ = σ/α splits the way from σ̃ down to σ̃' into a deterministic Euler move to
 * σ̃_down and fresh noise of standard deviation σ_up (k-diffusion {@code get_ancestral_step}):
 * x̃' = x̃ + (σ̃_down − σ̃)·ε̂ + σ_up·z, returned in the target's native scaling x' = α'·x̃'.
 * {@link EulerAncestral} and {@link ReverseSde} differ only in the pair (σ̃_down, σ_up).
 */
final class Ancestral {
    private Ancestral() {}

    /**
     * The ancestral step of {@code ctx} from x with noise estimate {@code eps}; z is sub-draw 0 of the
     * step, drawn only when σ_up &gt; 0.
     *
     * @param sigmaDown σ̃_down ≥ 0, the VE level the deterministic part moves to
     * @param sigmaUp σ_up ≥ 0, in VE units
     */
    static NDArray step(StepContext ctx, NDArray x, NDArray eps, double sigmaDown, double sigmaUp) {
        NoiseLevel to = ctx.to();
        // VeSteps.move to a level with the target's α and VE noise σ̃_down gives α'·(x̃ + (σ̃_down − σ̃)·ε̂).
        NoiseLevel down = new NoiseLevel(to.t(), to.alpha(), to.alpha() * sigmaDown);
        return addNoise(VeSteps.move(x, ctx.from(), down, eps), to.alpha() * sigmaUp, ctx.noise(), 0);
    }

    /** mean + std·z with z sub-draw {@code draw} of the step; nothing is drawn when std = 0. */
    static NDArray addNoise(NDArray mean, double std, StepNoise noise, int draw) {
        return std > 0 ? mean.add(noise.normal(draw).mul(std)) : mean;
    }
}
