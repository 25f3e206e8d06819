package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

/**
 * Multistep consistency sampling (Song, Dhariwal, Chen &amp; Sutskever 2023, "Consistency Models", Alg. 1) in
 * EDM's variance-exploding variable x̃ = x/α with σ = σ/α of the level. The network output F (read from the
 * denoiser's x̂₀, see below) becomes the consistency function with the boundary-condition scalings of the
 * paper's App. C (EDM's preconditioning shifted by ε = σ_min so that f(x̃, σ_min) = x̃):
 * <pre>
 *   f(x̃, σ) = c_skip(σ)·x̃ + c_out(σ)·F,   c_skip = σ_d²/((σ − σ_min)² + σ_d²),  c_out = (σ − σ_min)·σ_d/√(σ² + σ_d²)
 * </pre>
 * then f is clipped by {@code clipping} and noised to the target: x̃' = f + s_noise·√(σ̂'² − σ_min²)·z with
 * σ̂' = σ' clamped to [σ_min, σ_max]. A last step to σ_min (or to 0) adds nothing and returns f. The result
 * is returned in the target's native scaling x' = α'·x̃'.
 *
 * <p>Corresponds to diffusers' {@code CMStochasticIterativeScheduler.step} ({@code sigma_min}, {@code
 * sigma_max}, {@code sigma_data}, {@code s_noise}, {@code clip_denoised} as a ±1 clamp). The network is a
 * consistency model whose raw output F diffusers hands to the scheduler, which applies c_skip/c_out: our
 * {@code Prediction} has no such type, so the denoiser's x̂₀ is taken to be F (prediction type {@code
 * sample}, which passes the output through unchanged) and the parametrisation is applied here. A denoiser
 * whose x̂₀ is already the consistency function must therefore be wrapped (F = (f − c_skip·x̃)/c_out). Plans:
 * {@link io.diffusion4j.diffusers.ConsistencySchedulers} (the Karras ramp with a final σ_min), or any plan
 * with finite σ/α.
 *
 * @param sigmaMin σ_min &gt; 0 (ε of the paper: f is the identity there)
 * @param sigmaMax σ_max &gt; σ_min, the largest level noise is added to
 * @param sigmaData σ_d &gt; 0
 * @param sNoise s_noise ≥ 0, the factor of the fresh noise (1 in the paper)
 * @param clipping what to do to f before it is noised (diffusers' {@code clip_denoised}: clamp to ±1)
 */
public record ConsistencyMultistep(double sigmaMin, double sigmaMax, double sigmaData, double sNoise, X0Clipping clipping)
        implements Sampler {
    public ConsistencyMultistep {
        Check.positive(sigmaMin, "sigma_min");
        Check.positive(sigmaData, "sigma_data");
        Check.nonNegative(sNoise, "s_noise");
        Check.notNull(clipping, "clipping");
        if (!(sigmaMax > sigmaMin)) {
            throw new IllegalArgumentException("sigma_max must be > sigma_min, got sigma_min=" + sigmaMin + ", sigma_max=" + sigmaMax);
        }
    }

    /** diffusers' defaults: σ ∈ [0.002, 80], σ_d = 0.5, s_noise = 1, clamp to ±1. */
    public ConsistencyMultistep() {
        this(0.002, 80.0, 0.5, 1.0, new X0Clipping.Clamp(1.0));
    }

    /** c_skip(σ) = σ_d²/((σ − σ_min)² + σ_d²): 1 at σ_min. */
    public double cSkip(double sigma) {
        double d = sigma - sigmaMin;
        return sigmaData * sigmaData / (d * d + sigmaData * sigmaData);
    }

    /** c_out(σ) = (σ − σ_min)·σ_d/√(σ² + σ_d²): 0 at σ_min. */
    public double cOut(double sigma) {
        return (sigma - sigmaMin) * sigmaData / Math.sqrt(sigma * sigma + sigmaData * sigmaData);
    }

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel from = ctx.from();
        NoiseLevel to = ctx.to();
        Estimate e = ctx.denoiser().denoise(x, from, ctx.cond());
        double sigma = from.veSigma();
        NDArray f = clipping.apply(x.div(from.alpha()).mul(cSkip(sigma)).add(e.x0().mul(cOut(sigma))));
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
