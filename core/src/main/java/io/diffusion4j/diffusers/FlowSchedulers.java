package io.diffusion4j.diffusers;

import io.diffusion4j.sampler.FlowEuler;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.RectifiedFlow;

/** The flow-matching diffusers schedulers: sample x = (1 − σ)·x₀ + σ·ε, velocity model, timesteps σ·T. */
final class FlowSchedulers {
    private FlowSchedulers() {}

    /** {@code FlowMatchEulerDiscreteScheduler} with a static {@code shift}. */
    static Scheduler euler(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        int t = r.integer("num_train_timesteps", 1000);
        RectifiedFlow flow = new RectifiedFlow(r.number("shift", 1.0));
        r.unsupported("use_dynamic_shifting", "give a static shift");
        r.ignore("base_shift", "max_shift", "base_image_seq_len", "max_image_seq_len", "time_shift_type");
        r.unsupported("invert_sigmas", "not offered");
        r.unsupported("shift_terminal", "not offered");
        r.unsupported("use_karras_sigmas", "not offered for flow matching");
        r.unsupported("use_exponential_sigmas", "not offered for flow matching");
        r.unsupported("use_beta_sigmas", "not offered for flow matching");
        r.unsupported("stochastic_sampling", "not offered");
        Recipe recipe = new Recipe(new FlowEuler(), n -> Plans.flowMatch(flow, n, t), flow, SampleSpace.NATIVE, ModelConvention.flow(t));
        return new Scheduler(c, recipe, r.unread());
    }
}
