package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.TablePrecision;
import io.diffusion4j.util.Check;

/**
 * DDPM ancestral sampling (Ho et al. 2020, Alg. 2): x' = μ̃(x, x̂₀) + √v·z, where μ̃ is the mean of the
 * posterior q(x' | x, x₀) (eq. 7) between the step's two levels, with x̂₀ (clipped by {@code clipping})
 * in place of x₀. Corresponds to diffusers' {@code DDPMScheduler.step} with {@code variance_type}
 * {@code fixed_small} or {@code fixed_large}, {@code clip_sample} / {@code thresholding} as {@code
 * clipping}; plans: {@link io.diffusion4j.schedule.Plans#ddim} (diffusers' DDPM timesteps and prev_t).
 *
 * <p>As diffusers does for skipped steps, the coefficients come from the two levels, not from the
 * β table: with ᾱ = α² at the evaluated level and ᾱ' at the target, β = 1 − ᾱ/ᾱ' and α_step = 1 − β;
 * μ̃ = √ᾱ'·β/(1 − ᾱ)·x̂₀ + √α_step·(1 − ᾱ')/(1 − ᾱ)·x. We write them as β = σ² − (α/α')²·σ'² and
 * 1 − ᾱ = σ², which is the same for variance-preserving levels and is the Gaussian posterior of any
 * process x = α·x₀ + σ·ε (Kingma et al. 2021, "Variational diffusion models", with σ²_{t|s} = β), so
 * any plan works.
 *
 * <p>No noise is added on a step to the clean sample. diffusers adds noise whenever the evaluated
 * timestep is &gt; 0, so with a last timestep t &gt; 0 ({@code steps_offset = 1}, {@code trailing}) its
 * final step adds noise of variance 1e-20 (β̃ = 0, clamped; negligible) or, with {@code fixed_large},
 * of variance β_t; we do not.
 *
 * @param variance the reverse-step variance v
 * @param clipping what to do to x̂₀ (diffusers' default is {@code clip_sample} with range 1)
 */
public record Ddpm(Variance variance, X0Clipping clipping) implements Sampler {

    /** The reverse-step variance (diffusers {@code variance_type}); Ho et al. 2020 §3.2. */
    public enum Variance {
        /** v = β̃ = (1 − ᾱ')/(1 − ᾱ)·β, the posterior variance, clamped at 1e-20 as diffusers does; optimal for a deterministic x₀. */
        FIXED_SMALL("fixed_small"),
        /** v = β; optimal for x₀ ~ N(0, I). */
        FIXED_LARGE("fixed_large");

        private final String diffusersName;

        Variance(String diffusersName) {
            this.diffusersName = diffusersName;
        }

        /** diffusers' name of this variance type. */
        public String diffusersName() {
            return diffusersName;
        }
    }

    public Ddpm {
        Check.oneOf(variance, Variance.values(), "variance_type");
        Check.notNull(clipping, "clipping");
    }

    /** The β̃ variance without clipping. */
    public Ddpm() {
        this(Variance.FIXED_SMALL, X0Clipping.NONE);
    }

    /** diffusers' {@code DDPMScheduler} defaults: {@code fixed_small}, {@code clip_sample} to ±1. */
    public static Ddpm diffusersDefaults() {
        return new Ddpm(Variance.FIXED_SMALL, new X0Clipping.Clamp(1.0));
    }

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel from = ctx.from();
        NoiseLevel to = ctx.to();
        Estimate e = ctx.denoiser().denoise(x, from, ctx.cond());
        NDArray x0 = clipping.apply(e.x0());
        double[] c = coefficients(from, to, isFloat32(ctx.plan()));
        NDArray mean = x0.mul(c[0]).add(x.mul(c[1]));
        if (to.isClean()) {
            return new Stepped(mean, x0, history);
        }
        double v = variance == Variance.FIXED_SMALL ? c[2] : c[3];
        return new Stepped(Ancestral.addNoise(mean, Math.sqrt(v), ctx.noise(), 0), x0, history);
    }

    /**
     * The posterior q(x' | x, x₀) from level {@code from} to {@code to}: {x̂₀ coefficient, x coefficient, β̃
     * (clamped at 1e-20), β}. With {@code float32} (a diffusers float32 table) every quantity is computed
     * as diffusers' {@code DDPMScheduler.step} does, in float32 from ᾱ and ᾱ' — 1 − ᾱ/ᾱ' loses digits to
     * cancellation at small t, and diffusers' numbers carry that loss; otherwise in double from α and σ.
     */
    static double[] coefficients(NoiseLevel from, NoiseLevel to, boolean float32) {
        if (float32) {
            float abar = (float) (from.alpha() * from.alpha());
            float abarPrev = to.isClean() ? 1f : (float) (to.alpha() * to.alpha());
            float currentAlpha = abar / abarPrev;
            float currentBeta = 1f - currentAlpha;
            float betaProd = 1f - abar;
            float betaProdPrev = 1f - abarPrev;
            float x0Coeff = (float) Math.sqrt(abarPrev) * currentBeta / betaProd;
            float xCoeff = (float) Math.sqrt(currentAlpha) * betaProdPrev / betaProd;
            float small = Math.max(betaProdPrev / betaProd * currentBeta, 1e-20f);
            return new double[] {x0Coeff, xCoeff, small, currentBeta};
        }
        double ratio = from.alpha() / to.alpha();
        double sigma2 = from.sigma() * from.sigma();
        double sigmaPrev2 = to.sigma() * to.sigma();
        double beta = Math.max(sigma2 - ratio * ratio * sigmaPrev2, 0);
        return new double[] {to.alpha() * beta / sigma2, ratio * sigmaPrev2 / sigma2, Math.max(sigmaPrev2 / sigma2 * beta, 1e-20), beta};
    }

    private static boolean isFloat32(Plan plan) {
        return plan.schedule() instanceof DiscreteVp vp && vp.config().precision() == TablePrecision.FLOAT32;
    }

    /** The posterior needs σ &gt; 0 at every evaluated level and α &gt; 0 at every target. */
    @Override
    public void checkPlan(Plan plan) {
        for (int i = 0; i < plan.steps(); i++) {
            if (!(plan.point(i).sigma() > 0) || !(plan.target(i).alpha() > 0)) {
                throw new IllegalArgumentException("ddpm needs sigma > 0 at each evaluated level and alpha > 0 at each target, but step "
                        + i + " goes from " + plan.point(i) + " to " + plan.target(i));
            }
        }
    }
}
