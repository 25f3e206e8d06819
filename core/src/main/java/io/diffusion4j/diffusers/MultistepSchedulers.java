package io.diffusion4j.diffusers;

import com.google.gson.JsonElement;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.sampler.Deis;
import io.diffusion4j.sampler.DpmSolverPlusPlus;
import io.diffusion4j.sampler.DpmSolverSinglestep;
import io.diffusion4j.sampler.UniPc;
import io.diffusion4j.sampler.X0Clipping;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.FinalSigma;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The multistep and singlestep exponential-integrator schedulers of diffusers beyond DPM-Solver++ multistep
 * (UniPC, DEIS, singlestep DPM-Solver): variance-preserving, their sample is our native x (see {@link
 * SampleSpace#NATIVE}), and their {@code set_timesteps} is DPM-Solver's ({@link Plans#dpmSolver}).
 */
final class MultistepSchedulers {
    private MultistepSchedulers() {}

    /**
     * {@code UniPCMultistepScheduler} over {@link UniPc}. {@code solver_type} "midpoint", "heun" and "logrho"
     * (configs written for other classes) become "bh2", as diffusers does. Not offered: {@code solver_p},
     * flow sigmas and their options, exponential and beta σ, {@code prediction_type = "flow_prediction"}.
     */
    static Scheduler uniPc(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        DiscreteVp vp = ConfigFields.table(r);
        int order = r.integer("solver_order", 2);
        String type = r.choice("solver_type", "bh2", "bh1", "bh2", "midpoint", "heun", "logrho");
        boolean predictX0 = r.bool("predict_x0", true);
        boolean lowerOrderFinal = r.bool("lower_order_final", true);
        Set<Integer> disabled = integers(c, r, "disable_corrector");
        X0Clipping clipping = ConfigFields.clipping(r, false, false);
        r.unsupported("solver_p", "a separate predictor scheduler is not offered");
        boolean karras = r.bool("use_karras_sigmas", false);
        ConfigFields.noExoticSigmas(r);
        r.unsupported("use_flow_sigmas", "flow sigmas are not offered by this class yet; use FlowMatchEulerDiscreteScheduler");
        r.unsupported("sigma_min", "the σ range follows the table");
        r.unsupported("sigma_max", "the σ range follows the table");
        r.unsupported("shift_terminal", "only used with flow sigmas, which are not offered");
        r.ignore("flow_shift", "use_dynamic_shifting", "time_shift_type");
        FinalSigma finalSigma = ConfigFields.finalSigma(r, "zero");
        Spacing spacing = ConfigFields.spacing(r, "linspace");
        int offset = r.integer("steps_offset", 0);
        UniPc sampler = new UniPc(order, predictX0, type.equals("bh1") ? UniPc.Variant.BH1 : UniPc.Variant.BH2, lowerOrderFinal,
                disabled, clipping);
        Recipe recipe = new Recipe(sampler, n -> Plans.dpmSolver(vp, n, spacing, offset, finalSigma, karras), vp, SampleSpace.NATIVE,
                ModelConvention.of(ConfigFields.prediction(r)));
        return new Scheduler(c, recipe, r.unread());
    }

    /**
     * {@code DPMSolverSinglestepScheduler} over {@link DpmSolverSinglestep}: {@code algorithm_type}
     * "dpmsolver++" (default) or "dpmsolver" ("deis" becomes "dpmsolver++", as in diffusers); {@code solver_type}
     * "logrho", "bh1", "bh2" become "midpoint". This class has no {@code timestep_spacing}, {@code steps_offset}
     * or {@code rescale_betas_zero_snr} in diffusers (its timesteps are always {@code linspace}): such fields
     * are kept, reported by {@link Scheduler#unknownFields()} and have no effect, as in diffusers. Not offered:
     * "sde-dpmsolver++", learned variances, flow / exponential / beta σ, a finite {@code lambda_min_clipped}.
     */
    static Scheduler dpmSolverSinglestep(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        DiscreteVp vp = ConfigFields.tableWithoutSigmoid(r, false);
        int order = r.integer("solver_order", 2);
        String algorithm = r.string("algorithm_type", "dpmsolver++");
        if (algorithm.equals("sde-dpmsolver++")) {
            throw new IllegalArgumentException(c.className() + ".algorithm_type = \"sde-dpmsolver++\" is not supported: only the "
                    + "deterministic dpmsolver++ and dpmsolver");
        }
        boolean data = !r.choice("algorithm_type", "dpmsolver++", "dpmsolver++", "dpmsolver", "deis").equals("dpmsolver");
        String type = r.choice("solver_type", "midpoint", "midpoint", "heun", "logrho", "bh1", "bh2");
        boolean lowerOrderFinal = r.bool("lower_order_final", false);
        X0Clipping clipping = ConfigFields.clipping(r, false, false);
        boolean karras = r.bool("use_karras_sigmas", false);
        ConfigFields.noExoticSigmas(r);
        r.unsupported("use_flow_sigmas", "flow sigmas are not offered by this class yet; use FlowMatchEulerDiscreteScheduler");
        r.unsupported("variance_type", "learned variances are not offered");
        r.ignore("flow_shift", "use_dynamic_shifting", "time_shift_type");
        double lambdaMin = r.number("lambda_min_clipped", Double.NEGATIVE_INFINITY);
        if (lambdaMin != Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException(c.className() + ".lambda_min_clipped = " + lambdaMin + " is not supported: only -inf");
        }
        FinalSigma finalSigma = ConfigFields.finalSigma(r, "zero");
        if (!data && finalSigma == FinalSigma.ZERO) {
            throw new IllegalArgumentException(c.className() + ": final_sigmas_type = \"zero\" is not supported with algorithm_type "
                    + "\"dpmsolver\" (as in diffusers); choose \"sigma_min\"");
        }
        DpmSolverSinglestep sampler = new DpmSolverSinglestep(order, data, type.equals("heun") ? DpmSolverPlusPlus.SolverType.HEUN
                : DpmSolverPlusPlus.SolverType.MIDPOINT, lowerOrderFinal, clipping);
        Prediction prediction = ConfigFields.prediction(r);
        Recipe recipe = new Recipe(sampler, n -> Plans.dpmSolver(vp, n, Spacing.LINSPACE, 0, finalSigma, karras), vp, SampleSpace.NATIVE,
                ModelConvention.of(prediction));
        return new Scheduler(c, recipe, r.unread());
    }

    /**
     * {@code DEISMultistepScheduler} over {@link Deis}: {@code algorithm_type} "deis" ("dpmsolver", "dpmsolver++"
     * become "deis") and {@code solver_type} "logrho" ("midpoint", "heun", "bh1", "bh2" become "logrho"), as in
     * diffusers. The trajectory ends at σ_min (the table's first σ, or the last Karras σ repeated): this class has
     * no {@code final_sigmas_type} (nor {@code rescale_betas_zero_snr}); such fields are kept, reported by {@link
     * Scheduler#unknownFields()} and have no effect, as in diffusers. Not offered: flow / exponential / beta σ.
     */
    static Scheduler deis(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        DiscreteVp vp = ConfigFields.tableWithoutSigmoid(r, false);
        int order = r.integer("solver_order", 2);
        r.choice("algorithm_type", "deis", "deis", "dpmsolver", "dpmsolver++");
        r.choice("solver_type", "logrho", "logrho", "midpoint", "heun", "bh1", "bh2");
        boolean lowerOrderFinal = r.bool("lower_order_final", true);
        X0Clipping clipping = ConfigFields.clipping(r, false, false);
        boolean karras = r.bool("use_karras_sigmas", false);
        ConfigFields.noExoticSigmas(r);
        r.unsupported("use_flow_sigmas", "flow sigmas are not offered by this class yet; use FlowMatchEulerDiscreteScheduler");
        r.ignore("flow_shift", "use_dynamic_shifting", "time_shift_type");
        Spacing spacing = ConfigFields.spacing(r, "linspace");
        int offset = r.integer("steps_offset", 0);
        Recipe recipe = new Recipe(new Deis(order, lowerOrderFinal, clipping),
                n -> Plans.dpmSolver(vp, n, spacing, offset, FinalSigma.SIGMA_MIN, karras), vp, SampleSpace.NATIVE,
                ModelConvention.of(ConfigFields.prediction(r)));
        return new Scheduler(c, recipe, r.unread());
    }

    /** A list-of-integers field (absent or null: empty), marked read. */
    private static Set<Integer> integers(SchedulerConfig c, SchedulerConfig.Reading r, String name) {
        Set<Integer> out = new LinkedHashSet<>();
        if (!r.has(name)) {
            return out;
        }
        JsonElement e = c.fields().get(name);
        if (!e.isJsonArray()) {
            throw new IllegalArgumentException(c.className() + "." + name + " must be a list of step indices, got " + e);
        }
        for (JsonElement v : e.getAsJsonArray()) {
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber() || v.getAsDouble() != Math.rint(v.getAsDouble())) {
                throw new IllegalArgumentException(c.className() + "." + name + " must be a list of step indices, got " + e);
            }
            out.add(v.getAsInt());
        }
        return out;
    }
}
