package io.diffusion4j.diffusers;

import io.diffusion4j.sampler.Ddim;
import io.diffusion4j.sampler.Ddpm;
import io.diffusion4j.sampler.DpmSolverPlusPlus;
import io.diffusion4j.sampler.X0Clipping;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.FinalSigma;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;

/** The variance-preserving diffusers schedulers: their sample is our native x (see {@link SampleSpace#NATIVE}). */
final class VpSchedulers {
    private VpSchedulers() {}

    /** {@code DDPMScheduler}: each step goes to the next timestep of the list (the clean sample after the last). */
    static Scheduler ddpm(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        DiscreteVp vp = ConfigFields.table(r);
        String variance = r.choice("variance_type", "fixed_small", "fixed_small", "fixed_large");
        X0Clipping clipping = ConfigFields.clipping(r, true, true);
        Spacing spacing = ConfigFields.spacing(r, "leading");
        int offset = r.integer("steps_offset", 0);
        Ddpm sampler = new Ddpm(variance.equals("fixed_small") ? Ddpm.Variance.FIXED_SMALL : Ddpm.Variance.FIXED_LARGE, clipping);
        Recipe recipe = new Recipe(sampler, n -> Plans.ddpm(vp, n, spacing, offset), vp, SampleSpace.NATIVE,
                ModelConvention.of(ConfigFields.prediction(r)));
        return new Scheduler(c, recipe, r.unread());
    }

    /** {@code DDIMScheduler}: each step goes to t − T div N; η is given per step, as in diffusers. */
    static Scheduler ddim(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        DiscreteVp vp = ConfigFields.table(r);
        X0Clipping clipping = ConfigFields.clipping(r, true, true);
        boolean alphaToOne = r.bool("set_alpha_to_one", true);
        Spacing spacing = ConfigFields.spacing(r, "leading");
        int offset = r.integer("steps_offset", 0);
        Recipe recipe = new Recipe(new Ddim(0.0, clipping, false), n -> Plans.ddim(vp, n, spacing, offset, alphaToOne), vp,
                SampleSpace.NATIVE, ModelConvention.of(ConfigFields.prediction(r)));
        return new Scheduler(c, recipe.withEta(eta -> new Ddim(eta, clipping, false)), r.unread());
    }

    /** {@code DPMSolverMultistepScheduler} with {@code algorithm_type = "dpmsolver++"}. */
    static Scheduler dpmSolverMultistep(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        DiscreteVp vp = ConfigFields.table(r);
        int order = r.integer("solver_order", 2);
        // diffusers maps the names of related classes (a config switched from DEIS or UniPC) onto its own
        r.choice("algorithm_type", "dpmsolver++", "dpmsolver++", "deis");
        DpmSolverPlusPlus sampler = ConfigFields.dpmSolverPlusPlus(r, order);
        boolean karras = r.bool("use_karras_sigmas", false);
        ConfigFields.noExoticSigmas(r);
        r.unsupported("use_lu_lambdas", "not offered yet");
        r.unsupported("use_flow_sigmas", "flow sigmas are not offered by this class yet; use FlowMatchEulerDiscreteScheduler");
        r.unsupported("variance_type", "learned variances are not offered");
        double lambdaMin = r.number("lambda_min_clipped", Double.NEGATIVE_INFINITY);
        if (lambdaMin != Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException(c.className() + ".lambda_min_clipped = " + lambdaMin + " is not supported: only -inf");
        }
        FinalSigma finalSigma = ConfigFields.finalSigma(r, "zero");
        Spacing spacing = ConfigFields.spacing(r, "linspace");
        int offset = r.integer("steps_offset", 0);
        r.ignore("flow_shift", "use_dynamic_shifting", "time_shift_type");
        Recipe recipe = new Recipe(sampler, n -> Plans.dpmSolver(vp, n, spacing, offset, finalSigma, karras), vp, SampleSpace.NATIVE,
                ModelConvention.of(ConfigFields.prediction(r)));
        return new Scheduler(c, recipe, r.unread());
    }
}
