package io.diffusion4j.diffusers;

import io.diffusion4j.sampler.Euler;
import io.diffusion4j.sampler.EulerAncestral;
import io.diffusion4j.sampler.Heun;
import io.diffusion4j.sampler.Sampler;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;

/**
 * The diffusers schedulers in k-diffusion's σ view: their sample is x̃ = x/α and the model sees
 * {@code scale_model_input}'s x̃/√(σ̃² + 1) (see {@link SampleSpace#SIGMA}).
 */
final class SigmaSchedulers {
    private SigmaSchedulers() {}

    /** {@code EulerDiscreteScheduler} (without churn: diffusers' default s_churn = 0). */
    static Scheduler euler(SchedulerConfig c) {
        return discrete(c, new Euler(), true, 0.0001, 0.02);
    }

    /** {@code EulerAncestralDiscreteScheduler}. */
    static Scheduler eulerAncestral(SchedulerConfig c) {
        return discrete(c, new EulerAncestral(), false, 0.0001, 0.02);
    }

    /** {@code HeunDiscreteScheduler}: two model calls per step, 2N − 1 timesteps; its class default β is 0.00085 … 0.012. */
    static Scheduler heun(SchedulerConfig c) {
        return discrete(c, new Heun(), true, 0.00085, 0.012);
    }

    /** The σ-view classes share their plan: {@link Plans#euler} with the config's spacing and σ option. */
    private static Scheduler discrete(SchedulerConfig c, Sampler sampler, boolean hasKarras, double betaStart, double betaEnd) {
        SchedulerConfig.Reading r = c.reading();
        DiscreteVp vp = ConfigFields.table(r, "linear", betaStart, betaEnd);
        boolean karras = hasKarras && r.bool("use_karras_sigmas", false);
        if (hasKarras) {
            ConfigFields.noExoticSigmas(r);
        }
        r.choice("interpolation_type", "linear", "linear");
        r.choice("timestep_type", "discrete", "discrete");
        r.choice("final_sigmas_type", "zero", "zero");
        r.unsupported("sigma_min", "the σ range follows the table");
        r.unsupported("sigma_max", "the σ range follows the table");
        r.unsupported("clip_sample", "x̂₀ clipping is not offered by the σ-view samplers");
        r.ignore("clip_sample_range");
        Spacing spacing = ConfigFields.spacing(r, "linspace");
        int offset = r.integer("steps_offset", 0);
        Recipe recipe = new Recipe(sampler, n -> Plans.euler(vp, n, spacing, offset, karras), vp, SampleSpace.SIGMA,
                ModelConvention.of(ConfigFields.prediction(r)));
        return new Scheduler(c, recipe, r.unread());
    }
}
