package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

/**
 * Multistep latent-consistency sampling (Luo et al. 2023, "Latent Consistency Models", Alg. 3; the
 * multistep consistency sampling of Song et al. 2023, Alg. 1, in the variance-preserving parametrisation).
 * Each step evaluates the consistency function
 * <pre>
 *   f(x, t) = c_skip(t)·x + c_out(t)·x̂₀(x, t),   c_skip = σ_d²/((τ·t)² + σ_d²),  c_out = τ·t/√((τ·t)² + σ_d²)
 * </pre>
 * (Luo et al. eq. 9 with the boundary-condition scalings of Song et al., App. C; σ_d = {@code sigmaData}, τ =
 * {@code timestepScaling}, t the schedule time of the step's level) and then, unless the step ends at the
 * clean sample, noises the result afresh to the target level: x' = α'·f + σ'·z. f(x, 0) = x is the boundary
 * condition; for τ·t ≫ σ_d f is x̂₀ itself. x̂₀ is clipped or thresholded by {@code clipping} first.
 *
 * <p>Corresponds to diffusers' {@code LCMScheduler.step} ({@code timestep_scaling}, σ_d = 0.5 fixed there,
 * {@code clip_sample} / {@code thresholding}); its plan (the {@code original_inference_steps} skipping
 * schedule, each step going to the next timestep and the last to the clean sample) is built by {@link
 * io.diffusion4j.diffusers.ConsistencySchedulers}. Any plan works: t is read from the level (a timestep in
 * 0 … T−1 for {@link io.diffusion4j.schedule.DiscreteVp}). One denoiser call and, except on a step to the
 * clean sample, one noise draw per step. With a denoiser that is the exact consistency function (f = the
 * probability-flow map to the data) every step count samples the data distribution exactly.
 *
 * @param timestepScaling τ &gt; 0 (diffusers {@code timestep_scaling}, 10 by default)
 * @param sigmaData σ_d &gt; 0, the data scale of the boundary scalings (0.5 in diffusers)
 * @param clipping what to do to x̂₀ before the consistency function is formed
 */
public record Lcm(double timestepScaling, double sigmaData, X0Clipping clipping) implements Sampler {
    public Lcm {
        Check.positive(timestepScaling, "timestep_scaling");
        Check.positive(sigmaData, "sigma_data");
        Check.notNull(clipping, "clipping");
    }

    /** diffusers' defaults: τ = 10, σ_d = 0.5, no clipping. */
    public Lcm() {
        this(10.0, 0.5, X0Clipping.NONE);
    }

    /** c_skip(t) = σ_d²/((τ·t)² + σ_d²): 1 at t = 0. */
    public double cSkip(double t) {
        double s = timestepScaling * t;
        return sigmaData * sigmaData / (s * s + sigmaData * sigmaData);
    }

    /** c_out(t) = τ·t/√((τ·t)² + σ_d²): 0 at t = 0. */
    public double cOut(double t) {
        double s = timestepScaling * t;
        return s / Math.sqrt(s * s + sigmaData * sigmaData);
    }

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        Estimate e = ctx.denoiser().denoise(x, ctx.from(), ctx.cond());
        double t = ctx.from().t();
        NDArray denoised = clipping.apply(e.x0()).mul(cOut(t)).add(x.mul(cSkip(t)));
        if (ctx.to().isClean()) {
            return new Stepped(denoised, denoised, history);
        }
        NDArray next = Ancestral.addNoise(denoised.mul(ctx.to().alpha()), ctx.to().sigma(), ctx.noise(), 0);
        return new Stepped(next, denoised, history);
    }

    /** The consistency function needs t ≥ 0 at every evaluated level. */
    @Override
    public void checkPlan(Plan plan) {
        for (int i = 0; i < plan.steps(); i++) {
            if (!(plan.point(i).t() >= 0)) {
                throw new IllegalArgumentException("lcm needs schedule times t >= 0, but step " + i + " evaluates at t = " + plan.point(i).t());
            }
        }
    }
}
