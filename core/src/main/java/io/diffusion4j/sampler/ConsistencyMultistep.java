package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

/**
 * Multistep consistency sampling (Song, Dhariwal, Chen &amp; Sutskever 2023, "Consistency Models", Alg. 1) in
 * EDM's variance-exploding variable x̃ = x/α with σ = σ/α of the level. The denoiser's x̂₀ is the consistency
 * function f(x̃, σ), the map of the sample onto the trajectory's end at σ_min; it is clipped by {@code
 * clipping} and noised to the target: x̃' = f + s_noise·√(σ̂'² − σ_min²)·z with σ̂' = σ' clamped to [σ_min,
 * σ_max]. A last step to σ_min (or to 0) adds nothing and returns f. The result is returned in the target's
 * native scaling x' = α'·x̃'.
 *
 * <p>Corresponds to diffusers' {@code CMStochasticIterativeScheduler.step} ({@code sigma_min}, {@code
 * sigma_max}, {@code s_noise}, {@code clip_denoised} as a ±1 clamp). A consistency network's raw output F
 * becomes f through the boundary-condition parametrisation f = c_skip·x̃ + c_out·F of the paper's App. C,
 * which belongs to the model, not to the sampler: {@link io.diffusion4j.diffusers.ModelConvention.Consistency}
 * (with σ_d, {@code sigma_data}). Plans: {@link io.diffusion4j.diffusers.ConsistencySchedulers} (the Karras
 * ramp with a final σ_min), or any plan with finite σ/α.
 *
 * @param sigmaMin σ_min &gt; 0 (ε of the paper: f is the identity there), the floor of the noise added
 * @param sigmaMax σ_max &gt; σ_min, the largest level noise is added to
 * @param sNoise s_noise ≥ 0, the factor of the fresh noise (1 in the paper)
 * @param clipping what to do to f before it is noised (diffusers' {@code clip_denoised}: clamp to ±1)
 */
public record ConsistencyMultistep(double sigmaMin, double sigmaMax, double sNoise, X0Clipping clipping) implements Sampler {
    public ConsistencyMultistep {
        Check.positive(sigmaMin, "sigma_min");
        Check.nonNegative(sNoise, "s_noise");
        Check.notNull(clipping, "clipping");
        if (!(sigmaMax > sigmaMin)) {
            throw new IllegalArgumentException("sigma_max must be > sigma_min, got sigma_min=" + sigmaMin + ", sigma_max=" + sigmaMax);
        }
    }

    /** diffusers' defaults: σ ∈ [0.002, 80], s_noise = 1, clamp to ±1. */
    public ConsistencyMultistep() {
        this(0.002, 80.0, 1.0, new X0Clipping.Clamp(1.0));
    }

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel to = ctx.to();
        Estimate e = ctx.denoiser().denoise(x, ctx.from(), ctx.cond());
        NDArray f = clipping.apply(e.x0());
        double next = Math.min(Math.max(to.veSigma(), sigmaMin), sigmaMax);
        double std = sNoise * Math.sqrt(Math.max(next * next - sigmaMin * sigmaMin, 0));
        NDArray xVe = Ancestral.addNoise(f, std, ctx.noise(), 0);
        return new Stepped(xVe.mul(to.alpha()), f, history);
    }

    @Override
    public void checkPlan(Plan plan) {
        VeSteps.requireFiniteVeSigma(plan, "consistency-multistep");
    }
}
