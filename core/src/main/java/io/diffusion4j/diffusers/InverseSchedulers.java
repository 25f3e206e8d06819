package io.diffusion4j.diffusers;

import io.diffusion4j.sampler.Ddim;
import io.diffusion4j.sampler.DpmSolverPlusPlus;
import io.diffusion4j.sampler.X0Clipping;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;

/**
 * diffusers' inversion schedulers: the same core samplers as their forward classes, on inverse plans (from
 * the data toward noise; see {@link io.diffusion4j.schedule.Plan#inverse()}). Their sample is our native x
 * ({@link SampleSpace#NATIVE}) and {@code init_noise_sigma} is 1. A run starts from the sample to invert (a
 * VAE latent, say) and its result is the noise that the forward scheduler turns back into it.
 */
final class InverseSchedulers {
    private InverseSchedulers() {}

    /**
     * {@code DDIMInverseScheduler} over {@link Ddim} (η = 0) on {@link Plans#ddimInverse}. Fields:
     * the table ({@code num_train_timesteps}, {@code beta_*}, {@code rescale_betas_zero_snr}), {@code
     * clip_sample} (default true) and {@code clip_sample_range}, {@code set_alpha_to_one} (and the deprecated
     * {@code set_alpha_to_zero}, which diffusers copies into it), {@code steps_offset}, {@code prediction_type},
     * {@code timestep_spacing} ({@code leading} or {@code trailing}). This class has no η and no {@code
     * thresholding}: such fields are kept, reported by {@link Scheduler#unknownFields()} and have no effect, as
     * in diffusers.
     */
    static Scheduler ddimInverse(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        DiscreteVp vp = ConfigFields.tableWithoutSigmoid(r, true);
        boolean clip = r.bool("clip_sample", true);
        double range = r.number("clip_sample_range", 1.0);
        boolean alphaToOne = r.bool("set_alpha_to_one", true);
        if (r.has("set_alpha_to_zero")) {
            alphaToOne = r.bool("set_alpha_to_zero", alphaToOne);
        }
        boolean startsClean = alphaToOne;
        int offset = r.integer("steps_offset", 0);
        Spacing spacing = Spacing.fromName(r.choice("timestep_spacing", "leading", "leading", "trailing"));
        Ddim sampler = new Ddim(0.0, clip ? new X0Clipping.Clamp(range) : X0Clipping.NONE, false);
        Recipe recipe = new Recipe(sampler, n -> Plans.ddimInverse(vp, n, spacing, offset, startsClean), vp, SampleSpace.NATIVE,
                ModelConvention.of(ConfigFields.prediction(r)));
        return new Scheduler(c, recipe, r.unread());
    }

    /**
     * {@code DPMSolverMultistepInverseScheduler} over {@link DpmSolverPlusPlus} on {@link Plans#dpmSolverInverse}:
     * {@code algorithm_type} "dpmsolver++" ("deis" becomes it, as in diffusers), {@code solver_order}, {@code
     * solver_type} ("logrho", "bh1", "bh2" become "midpoint"), {@code lower_order_final}, {@code euler_at_final},
     * {@code thresholding}, {@code use_karras_sigmas}, {@code lambda_min_clipped}, {@code timestep_spacing},
     * {@code steps_offset}. This class has no {@code final_sigmas_type} (the end is σ at the noisiest timestep)
     * nor {@code rescale_betas_zero_snr}: such fields are kept, reported by {@link Scheduler#unknownFields()} and
     * have no effect, as in diffusers. Not offered: "dpmsolver" and the SDE variants, learned variances, flow /
     * exponential / beta σ, {@code prediction_type = "flow_prediction"}.
     */
    static Scheduler dpmSolverMultistepInverse(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        DiscreteVp vp = ConfigFields.tableWithoutSigmoid(r, false);
        int order = r.integer("solver_order", 2);
        String algorithm = r.string("algorithm_type", "dpmsolver++");
        if (!algorithm.equals("dpmsolver++") && !algorithm.equals("deis")) {
            throw new IllegalArgumentException(c.className() + ".algorithm_type = \"" + algorithm + "\" is not supported: only "
                    + "the deterministic data-prediction \"dpmsolver++\"");
        }
        DpmSolverPlusPlus sampler = ConfigFields.dpmSolverPlusPlus(r, order);
        boolean karras = r.bool("use_karras_sigmas", false);
        ConfigFields.noExoticSigmas(r);
        r.unsupported("use_flow_sigmas", "flow sigmas are not offered by this class");
        r.ignore("flow_shift");
        r.unsupported("variance_type", "learned variances are not offered");
        double lambdaMin = r.number("lambda_min_clipped", Double.NEGATIVE_INFINITY);
        Spacing spacing = ConfigFields.spacing(r, "linspace");
        int offset = r.integer("steps_offset", 0);
        Recipe recipe = new Recipe(sampler, n -> Plans.dpmSolverInverse(vp, n, spacing, offset, karras, lambdaMin), vp,
                SampleSpace.NATIVE, ModelConvention.of(ConfigFields.prediction(r)));
        return new Scheduler(c, recipe, r.unread());
    }
}
