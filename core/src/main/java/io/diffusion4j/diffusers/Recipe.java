package io.diffusion4j.diffusers;

import io.diffusion4j.model.Prediction;
import io.diffusion4j.sampler.Sampler;
import io.diffusion4j.schedule.NoiseSchedule;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

import java.util.function.DoubleFunction;
import java.util.function.IntFunction;

/**
 * What a diffusers scheduler class is in our terms: a core sampler, the plan its {@code set_timesteps(n)}
 * makes, the sample scaling and the model's prediction type. One recipe per configuration; the
 * mathematics stays in the sampler and the plan.
 *
 * @param sampler the core sampler that performs every update
 * @param plans the plan of {@code set_timesteps(n)}
 * @param schedule the training noise schedule ({@code add_noise} at any timestep)
 * @param space how the scheduler scales its sample
 * @param prediction what the model outputs ({@code prediction_type})
 * @param timestepScale diffusers' timestep of a level is {@code timestepScale}·t (1, or T for the flow
 *     schedulers whose timesteps are σ·T)
 * @param etaVariant the sampler with another η (diffusers' {@code step(..., eta)}), or null when the class has no η
 */
public record Recipe(Sampler sampler, IntFunction<Plan> plans, NoiseSchedule schedule, SampleSpace space, Prediction prediction,
                     double timestepScale, DoubleFunction<Sampler> etaVariant) {
    public Recipe {
        Check.notNull(sampler, "sampler");
        Check.notNull(plans, "plans");
        Check.notNull(schedule, "schedule");
        Check.notNull(space, "space");
        Check.notNull(prediction, "prediction");
        Check.positive(timestepScale, "timestep scale");
    }

    /** A recipe whose timesteps are the plan's own times and that has no η. */
    public Recipe(Sampler sampler, IntFunction<Plan> plans, NoiseSchedule schedule, SampleSpace space, Prediction prediction) {
        this(sampler, plans, schedule, space, prediction, 1.0, null);
    }

    /** This recipe with diffusers' timesteps = {@code scale}·t. */
    public Recipe withTimestepScale(double scale) {
        return new Recipe(sampler, plans, schedule, space, prediction, scale, etaVariant);
    }

    /** This recipe with a per-step η. */
    public Recipe withEta(DoubleFunction<Sampler> variant) {
        return new Recipe(sampler, plans, schedule, space, prediction, timestepScale, Check.notNull(variant, "eta variant"));
    }

    /** The sampler for a step with η = {@code eta} (null: the recipe's own). */
    public Sampler samplerFor(Double eta) {
        if (eta == null) {
            return sampler;
        }
        if (etaVariant == null) {
            throw new IllegalArgumentException("this scheduler has no eta; step without it");
        }
        return etaVariant.apply(eta);
    }
}
