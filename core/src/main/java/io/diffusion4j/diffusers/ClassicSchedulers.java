package io.diffusion4j.diffusers;

import io.diffusion4j.model.Prediction;
import io.diffusion4j.sampler.Ipndm;
import io.diffusion4j.sampler.Kdpm2;
import io.diffusion4j.sampler.Lms;
import io.diffusion4j.sampler.Pndm;
import io.diffusion4j.schedule.BetaSchedule;
import io.diffusion4j.schedule.CosineVp;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import io.diffusion4j.schedule.TablePrecision;

import java.util.ArrayList;
import java.util.List;

/**
 * LMS and KDPM2 in k-diffusion's σ view (sample x̃ = x/α, {@link SampleSpace#SIGMA}), and the pseudo
 * numerical methods PNDM and IPNDM (sample x itself, {@link SampleSpace#NATIVE}); all of them models with a
 * prediction type ({@link ModelConvention#of}).
 */
final class ClassicSchedulers {
    private ClassicSchedulers() {}

    /**
     * {@code LMSDiscreteScheduler}: {@link Lms} of order 4 (diffusers' default of {@code step(..., order)}; another
     * order per step by {@link SchedulerRun#step(ai.djl.ndarray.NDArray, double, ai.djl.ndarray.NDArray, int)}) over
     * the Euler plan of the config's spacing and σ option.
     */
    static Scheduler lms(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        DiscreteVp vp = ConfigFields.table(r);
        boolean karras = r.bool("use_karras_sigmas", false);
        ConfigFields.noExoticSigmas(r);
        Prediction prediction = ConfigFields.prediction(r);
        Spacing spacing = ConfigFields.spacing(r, "linspace");
        int offset = r.integer("steps_offset", 0);
        Recipe recipe = new Recipe(new Lms(4), n -> Plans.euler(vp, n, spacing, offset, karras), vp, SampleSpace.SIGMA,
                ModelConvention.of(prediction));
        return new Scheduler(c, recipe.withOrder(Lms::new), r.unread());
    }

    /**
     * {@code KDPM2DiscreteScheduler}: {@link Kdpm2} over the Euler plan, with diffusers' class defaults
     * (β 0.00085 … 0.012, linear). With {@code use_karras_sigmas} diffusers rounds the step timesteps to
     * integers (unlike Euler and LMS), while α, σ stay those of the Karras σ; the midpoint timesteps are
     * never rounded. {@code prediction_type = "sample"} is refused, as diffusers does.
     */
    static Scheduler kdpm2(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        r.unsupported("trained_betas", "give beta_schedule, beta_start and beta_end instead of an explicit beta list");
        DiscreteVp vp = new DiscreteVp(new DiscreteVp.Config(r.integer("num_train_timesteps", 1000),
                BetaSchedule.fromDiffusersName(r.choice("beta_schedule", "linear", "linear", "scaled_linear", "squaredcos_cap_v2")),
                r.number("beta_start", 0.00085), r.number("beta_end", 0.012), false, TablePrecision.FLOAT32));
        boolean karras = r.bool("use_karras_sigmas", false);
        ConfigFields.noExoticSigmas(r);
        Prediction prediction = Prediction.fromName(r.choice("prediction_type", "epsilon", "epsilon", "v_prediction"));
        Spacing spacing = ConfigFields.spacing(r, "linspace");
        int offset = r.integer("steps_offset", 0);
        Recipe recipe = new Recipe(new Kdpm2(), n -> karras ? roundedTimes(Plans.euler(vp, n, spacing, offset, true))
                : Plans.euler(vp, n, spacing, offset, false), vp, SampleSpace.SIGMA, ModelConvention.of(prediction));
        return new Scheduler(c, recipe, r.unread());
    }

    /**
     * {@code PNDMScheduler}: {@link Pndm} (Runge–Kutta warm-up unless {@code skip_prk_steps}) over the DDIM
     * plan (each step to t − T div N; below 0 to ᾱ = 1 with {@code set_alpha_to_one}, whose class default is
     * false here, else ᾱ₀). diffusers' PNDM always steps by T div N, which is the next timestep of the list
     * only when the timesteps are T div N apart: {@code leading} (the default), and {@code trailing} when N
     * divides T. Other lists (every {@code linspace} list) make diffusers evaluate at one level and step from
     * another; they are refused when the timesteps are set.
     */
    static Scheduler pndm(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        DiscreteVp vp = ConfigFields.table(r);
        boolean skipPrk = r.bool("skip_prk_steps", false);
        boolean alphaToOne = r.bool("set_alpha_to_one", false);
        Prediction prediction = Prediction.fromName(r.choice("prediction_type", "epsilon", "epsilon", "v_prediction"));
        Spacing spacing = ConfigFields.spacing(r, "leading");
        int offset = r.integer("steps_offset", 0);
        Recipe recipe = new Recipe(new Pndm(!skipPrk, prediction), n -> evenlySpaced(Plans.ddim(vp, n, spacing, offset, alphaToOne),
                vp.trainSteps(), spacing), vp, SampleSpace.NATIVE, ModelConvention.of(prediction));
        return new Scheduler(c, recipe, r.unread());
    }

    /** The plan, after checking that its timesteps are T div N apart (see {@link #pndm}). */
    private static Plan evenlySpaced(Plan plan, int trainSteps, Spacing spacing) {
        int ratio = trainSteps / plan.steps();
        for (int i = 0; i + 1 < plan.steps(); i++) {
            if (plan.point(i).t() - plan.point(i + 1).t() != ratio) {
                throw new IllegalArgumentException("PNDMScheduler steps from t to t - T div N = t - " + ratio + ", but with timestep_spacing = "
                        + spacing.name().toLowerCase(java.util.Locale.ROOT) + " and " + plan.steps() + " steps timestep " + plan.point(i).t()
                        + " is followed by " + plan.point(i + 1).t() + "; use leading (the default), or trailing with a step count dividing "
                        + trainSteps);
            }
        }
        return plan;
    }

    /**
     * {@code IPNDMScheduler}: {@link Ipndm} over diffusers' own levels on the continuous cosine schedule
     * ({@link CosineVp}; the model is a v-prediction model there): s_i = linspace(1, 0, N + 1), σ_i = sin²(π s_i/2),
     * α_i = √(1 − σ_i²), timesteps t_i = atan2(σ_i, α_i)·2/π (so σ_i = sin(π t_i/2)), all in float32 like
     * diffusers; the last level is σ = 0. The first level has α = 0 and the initial noise is ε. diffusers' class
     * has no {@code add_noise}; ours noises to the cosine schedule's level of the timestep. Its config has no β
     * table ({@code trained_betas}, which would replace the σ_i, is refused).
     */
    static Scheduler ipndm(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        r.integer("num_train_timesteps", 1000);
        r.unsupported("trained_betas", "IPNDM's levels are its own sin² ramp");
        CosineVp cosine = new CosineVp();
        Recipe recipe = new Recipe(new Ipndm(), n -> ipndmPlan(cosine, n), cosine, SampleSpace.NATIVE, ModelConvention.of(Prediction.V));
        return new Scheduler(c, recipe, r.unread());
    }

    /** diffusers' IPNDM levels for N steps on {@code cosine}, in float32 arithmetic (see {@link #ipndm}). */
    static Plan ipndmPlan(CosineVp cosine, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        List<NoiseLevel> levels = new ArrayList<>();
        float pi = (float) Math.PI;
        for (int i = 0; i < steps; i++) {
            float s = (float) (1 - (double) i / steps);
            float sin = (float) Math.sin(s * pi / 2);
            float sigma = sin * sin;
            float alpha = (float) Math.sqrt(1f - sigma * sigma);
            float t = (float) Math.atan2(sigma, alpha) / pi * 2;
            levels.add(new NoiseLevel(t, alpha, sigma));
        }
        levels.add(NoiseLevel.clean(0));
        return Plan.chain(cosine, levels, 1.0);
    }

    /** The plan with every non-clean level's time rounded half-to-even, α and σ unchanged. */
    private static Plan roundedTimes(Plan plan) {
        List<NoiseLevel> levels = new ArrayList<>();
        for (NoiseLevel l : plan.levels()) {
            levels.add(l.isClean() ? l : new NoiseLevel(Math.rint(l.t()), l.alpha(), l.sigma()));
        }
        return Plan.chain(plan.schedule(), levels, plan.initNoiseScale());
    }
}
