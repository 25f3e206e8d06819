package io.diffusion4j.cli;

import io.diffusion4j.diffusers.Scheduler;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.sampler.Sampling;
import io.diffusion4j.sampler.X0Clipping;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.NoiseSchedule;
import io.diffusion4j.train.TrainedModel;

/** How the sampling commands pick their sampler and plan: by name, or from a diffusers scheduler config. */
sealed interface SamplerChoice {
    /** The sampler and plan of {@code steps} steps for {@code model}; a usage error when they do not fit it. */
    Sampling.Choice choose(TrainedModel model, int steps);

    /** How the choice is named in messages. */
    String label();

    /**
     * A named method ({@code --sampler}); x̂₀ is clipped to [−1, 1] where the sampler supports it
     * (diffusers' {@code clip_sample} default for images).
     */
    record Named(Sampling.Method method, double eta) implements SamplerChoice {
        @Override
        public Sampling.Choice choose(TrainedModel model, int steps) {
            return method.choose(model.schedule(), steps, eta, new X0Clipping.Clamp(1.0));
        }

        @Override
        public String label() {
            return method.label();
        }
    }

    /**
     * A diffusers {@code scheduler_config.json} ({@code --scheduler-config}): the class and options of
     * the file, on the model's own training table, which the file must not contradict.
     */
    record FromConfig(Scheduler scheduler, Double eta, String file) implements SamplerChoice {
        @Override
        public Sampling.Choice choose(TrainedModel model, int steps) {
            DiscreteVp own = model.schedule();
            NoiseSchedule theirs = scheduler.recipe().schedule();
            if (!(theirs instanceof DiscreteVp table)) {
                throw new Errors.UsageException("--scheduler-config " + file + ": " + scheduler.className() + " samples a "
                        + Sampling.kind(theirs) + " model, and this one is a discrete-time (DDPM-type) model; choose a class "
                        + "with a beta table, such as DDIMScheduler or DPMSolverMultistepScheduler, or use --sampler");
            }
            if (!table.equals(own)) {
                // a class's own defaults count too (HeunDiscreteScheduler's β have Stable Diffusion's end points),
                // so say what to write rather than what to remove
                String fields = table.config().diffusersFields();
                String wanted = own.config().diffusersFields();
                String why = fields.equals(wanted)
                        ? " computes its beta table in float32 and the model's is " + own.config().precision() + "; use --sampler"
                        : " has the training table {" + fields + "} and the model {" + wanted + "}; write the model's fields into the file";
                throw new Errors.UsageException("--scheduler-config " + file + ": this " + scheduler.className() + why);
            }
            Prediction wanted = scheduler.recipe().prediction().orElseThrow(() -> new Errors.UsageException("--scheduler-config "
                    + file + ": " + scheduler.className() + " calls its model with its own preconditioning, not a prediction type; "
                    + "choose a class with a prediction_type"));
            if (wanted != model.prediction()) {
                throw new Errors.UsageException("--scheduler-config " + file + ": prediction_type " + wanted.diffusersName()
                        + " differs from the model's " + model.prediction().diffusersName() + "; remove prediction_type or give the model's");
            }
            try {
                return new Sampling.Choice(scheduler.recipe().samplerFor(eta), scheduler.plan(steps));
            } catch (IllegalArgumentException e) {
                throw new Errors.UsageException("--scheduler-config " + file + ": " + e.getMessage());
            }
        }

        @Override
        public String label() {
            return scheduler.className();
        }
    }
}
