package io.diffusion4j.diffusers;

import io.diffusion4j.model.Prediction;
import io.diffusion4j.sampler.Sampler;
import io.diffusion4j.schedule.NoiseSchedule;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

import java.util.Optional;
import java.util.function.DoubleFunction;
import java.util.function.IntFunction;

/**
 * What a diffusers scheduler class is in our terms: a core sampler, the plan its {@code set_timesteps(n)}
 * makes, how it scales its sample and how it talks to the model. One recipe per configuration; the
 * mathematics stays in the sampler, the plan and the convention.
 *
 * @param sampler the core sampler that performs every update
 * @param plans the plan of {@code set_timesteps(n)}
 * @param schedule the training noise schedule ({@code add_noise} at any timestep)
 * @param space how the scheduler scales its sample relative to our native x
 * @param convention how the model is called and read: input scaling, timesteps, output parametrisation
 * @param etaVariant the sampler with another η (diffusers' {@code step(..., eta)}), or null when the class has none
 * @param orderVariant the sampler of another order (diffusers' {@code step(..., order)}), or null when the class has none
 */
public record Recipe(Sampler sampler, IntFunction<Plan> plans, NoiseSchedule schedule, SampleSpace space, ModelConvention convention,
                     DoubleFunction<Sampler> etaVariant, IntFunction<Sampler> orderVariant) {
    public Recipe {
        Check.notNull(sampler, "sampler");
        Check.notNull(plans, "plans");
        Check.notNull(schedule, "schedule");
        Check.notNull(space, "space");
        Check.notNull(convention, "model convention");
    }

    /** A recipe without per-step η or order. */
    public Recipe(Sampler sampler, IntFunction<Plan> plans, NoiseSchedule schedule, SampleSpace space, ModelConvention convention) {
        this(sampler, plans, schedule, space, convention, null, null);
    }

    /** This recipe with a per-step η. */
    public Recipe withEta(DoubleFunction<Sampler> variant) {
        return new Recipe(sampler, plans, schedule, space, convention, Check.notNull(variant, "eta variant"), orderVariant);
    }

    /** This recipe with a per-step order. */
    public Recipe withOrder(IntFunction<Sampler> variant) {
        return new Recipe(sampler, plans, schedule, space, convention, etaVariant, Check.notNull(variant, "order variant"));
    }

    /** The model's prediction type, when its output is read as one (see {@link ModelConvention#prediction()}). */
    public Optional<Prediction> prediction() {
        return convention.prediction();
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

    /** The sampler for a step of order {@code order}. */
    public Sampler samplerOfOrder(int order) {
        if (orderVariant == null) {
            throw new IllegalArgumentException("this scheduler has no per-step order; step without it");
        }
        return orderVariant.apply(order);
    }
}
