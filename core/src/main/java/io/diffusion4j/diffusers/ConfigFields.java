package io.diffusion4j.diffusers;

import io.diffusion4j.model.Prediction;
import io.diffusion4j.sampler.DpmSolverPlusPlus;
import io.diffusion4j.sampler.X0Clipping;
import io.diffusion4j.schedule.BetaSchedule;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.FinalSigma;
import io.diffusion4j.schedule.Spacing;
import io.diffusion4j.schedule.TablePrecision;

/**
 * The config fields many diffusers schedulers share, read once here with diffusers' defaults (each
 * class passes the defaults that differ).
 */
final class ConfigFields {
    private ConfigFields() {}

    /**
     * The training table: {@code num_train_timesteps}, {@code beta_start}, {@code beta_end},
     * {@code beta_schedule}, {@code rescale_betas_zero_snr}, in diffusers' float32 arithmetic.
     */
    static DiscreteVp table(SchedulerConfig.Reading r) {
        return table(r, "linear", 0.0001, 0.02);
    }

    /**
     * The training table with a class's own defaults: {@code HeunDiscreteScheduler} and {@code
     * KDPM2DiscreteScheduler} default to β 0.00085 … 0.012 (linear), {@code LCMScheduler} and {@code
     * TCDScheduler} to scaled_linear 0.00085 … 0.012 (their signatures; Heun's docstring says otherwise).
     */
    static DiscreteVp table(SchedulerConfig.Reading r, String scheduleDefault, double betaStartDefault, double betaEndDefault) {
        return table(r, scheduleDefault, betaStartDefault, betaEndDefault, true, "linear", "scaled_linear", "squaredcos_cap_v2", "sigmoid");
    }

    /**
     * The training table of the classes whose {@code beta_schedule} is one of {@code linear}, {@code
     * scaled_linear}, {@code squaredcos_cap_v2} (no {@code sigmoid}: DEIS, DPM-Solver singlestep, the inverse
     * classes), with diffusers' defaults; {@code rescale_betas_zero_snr} only when the class has the field
     * (diffusers drops it for the others).
     */
    static DiscreteVp tableWithoutSigmoid(SchedulerConfig.Reading r, boolean hasZeroSnr) {
        return table(r, "linear", 0.0001, 0.02, hasZeroSnr, "linear", "scaled_linear", "squaredcos_cap_v2");
    }

    private static DiscreteVp table(SchedulerConfig.Reading r, String scheduleDefault, double betaStartDefault, double betaEndDefault,
            boolean hasZeroSnr, String... schedules) {
        r.unsupported("trained_betas", "give beta_schedule, beta_start and beta_end instead of an explicit beta list");
        int t = r.integer("num_train_timesteps", 1000);
        BetaSchedule schedule = BetaSchedule.fromDiffusersName(r.choice("beta_schedule", scheduleDefault, schedules));
        double betaStart = r.number("beta_start", betaStartDefault);
        double betaEnd = r.number("beta_end", betaEndDefault);
        boolean zeroSnr = hasZeroSnr && r.bool("rescale_betas_zero_snr", false);
        return new DiscreteVp(new DiscreteVp.Config(t, schedule, betaStart, betaEnd, zeroSnr, TablePrecision.FLOAT32));
    }

    /** {@code prediction_type} among diffusers' names ({@code epsilon}, {@code sample}, {@code v_prediction}). */
    static Prediction prediction(SchedulerConfig.Reading r) {
        return Prediction.fromName(r.choice("prediction_type", "epsilon", "epsilon", "sample", "v_prediction"));
    }

    /** {@code timestep_spacing} with the class default. */
    static Spacing spacing(SchedulerConfig.Reading r, String otherwise) {
        return Spacing.fromName(r.choice("timestep_spacing", otherwise, "leading", "trailing", "linspace"));
    }

    /**
     * x̂₀ clipping: {@code thresholding} (dynamic, with {@code dynamic_thresholding_ratio} and
     * {@code sample_max_value}) wins over {@code clip_sample} (± {@code clip_sample_range}), as in diffusers.
     *
     * @param clipByDefault the class default of {@code clip_sample} (true for DDPM/DDIM; classes without the
     *     field pass false and it is not read)
     */
    static X0Clipping clipping(SchedulerConfig.Reading r, boolean hasClipSample, boolean clipByDefault) {
        boolean thresholding = r.bool("thresholding", false);
        double ratio = r.number("dynamic_thresholding_ratio", 0.995);
        double max = r.number("sample_max_value", 1.0);
        boolean clip = hasClipSample && r.bool("clip_sample", clipByDefault);
        double range = hasClipSample ? r.number("clip_sample_range", 1.0) : 1.0;
        if (thresholding) {
            return new X0Clipping.Dynamic(ratio, max);
        }
        return clip ? new X0Clipping.Clamp(range) : X0Clipping.NONE;
    }

    /**
     * The solver of {@code DPMSolverMultistepScheduler} and {@code DPMSolverMultistepInverseScheduler} ({@code
     * algorithm_type} "dpmsolver++"), of the given order: {@code solver_type} "midpoint" (default) or "heun" (the
     * DEIS and UniPC names "logrho", "bh1", "bh2" of a config switched from those classes become "midpoint", as in
     * diffusers), {@code lower_order_final} (default true), {@code euler_at_final} (default false), thresholding,
     * and diffusers' order-3 weighting.
     */
    static DpmSolverPlusPlus dpmSolverPlusPlus(SchedulerConfig.Reading r, int order) {
        DpmSolverPlusPlus.SolverType type = r.choice("solver_type", "midpoint", "midpoint", "heun", "logrho", "bh1", "bh2").equals("heun")
                ? DpmSolverPlusPlus.SolverType.HEUN : DpmSolverPlusPlus.SolverType.MIDPOINT;
        boolean lowerOrderFinal = r.bool("lower_order_final", true);
        boolean eulerAtFinal = r.bool("euler_at_final", false);
        return new DpmSolverPlusPlus(order, type, lowerOrderFinal, eulerAtFinal, clipping(r, false, false),
                DpmSolverPlusPlus.ThirdOrder.DIFFUSERS);
    }

    /** {@code final_sigmas_type}: {@code zero} or {@code sigma_min}. */
    static FinalSigma finalSigma(SchedulerConfig.Reading r, String otherwise) {
        return r.choice("final_sigmas_type", otherwise, "zero", "sigma_min").equals("zero") ? FinalSigma.ZERO : FinalSigma.SIGMA_MIN;
    }

    /** Fails for the σ-spacing options of diffusers that this port does not offer yet. */
    static void noExoticSigmas(SchedulerConfig.Reading r) {
        r.unsupported("use_exponential_sigmas", "only use_karras_sigmas is offered");
        r.unsupported("use_beta_sigmas", "only use_karras_sigmas is offered");
    }
}
