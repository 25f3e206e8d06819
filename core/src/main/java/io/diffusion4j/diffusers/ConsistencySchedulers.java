package io.diffusion4j.diffusers;

import io.diffusion4j.sampler.ConsistencyMultistep;
import io.diffusion4j.sampler.Lcm;
import io.diffusion4j.sampler.Tcd;
import io.diffusion4j.sampler.X0Clipping;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The consistency-family diffusers schedulers: {@code LCMScheduler} ({@link Lcm}), {@code TCDScheduler}
 * ({@link Tcd}) and {@code CMStochasticIterativeScheduler} ({@link ConsistencyMultistep}), with their
 * {@code set_timesteps}, including diffusers' custom {@code timesteps=[…]} ({@link #setTimesteps(Scheduler,
 * int...)}).
 */
public final class ConsistencySchedulers {
    private ConsistencySchedulers() {}

    static final String LCM = "LCMScheduler";
    static final String TCD = "TCDScheduler";
    static final String CM = "CMStochasticIterativeScheduler";

    /**
     * The LCM/TCD table (class defaults scaled_linear, β 0.00085 … 0.012) and {@code original_inference_steps};
     * config fields diffusers' step never reads are ignored.
     */
    private record Skipping(DiscreteVp vp, int originalSteps) {
        Skipping {
            Check.positive(originalSteps, "original_inference_steps");
            if (originalSteps > vp.trainSteps()) {
                throw new IllegalArgumentException("original_inference_steps = " + originalSteps + " cannot exceed num_train_timesteps = "
                        + vp.trainSteps());
            }
        }

        static Skipping read(SchedulerConfig.Reading r) {
            DiscreteVp vp = ConfigFields.table(r, "scaled_linear", 0.00085, 0.012);
            int original = r.integer("original_inference_steps", 50);
            // set_timesteps ignores timestep_spacing and steps_offset; every prev_t is >= 0, so set_alpha_to_one is never used
            r.ignore("timestep_spacing", "steps_offset", "set_alpha_to_one");
            return new Skipping(vp, original);
        }

        /**
         * diffusers' LCM/TCD {@code set_timesteps(N)}: the distillation timesteps k·i − 1 (k = T div
         * original_inference_steps, i = 1 … original) reversed, sampled at ⌊j·L/N⌋, j = 0 … N−1.
         */
        int[] timesteps(int steps) {
            Check.positive(steps, "num_inference_steps");
            int t = vp.trainSteps();
            if (steps > t) {
                throw new IllegalArgumentException("num_inference_steps = " + steps + " cannot exceed num_train_timesteps = " + t);
            }
            if (steps > originalSteps) {
                throw new IllegalArgumentException("num_inference_steps = " + steps + " cannot exceed original_inference_steps = "
                        + originalSteps + " (the timesteps are a subset of that schedule)");
            }
            int k = t / originalSteps;
            double stride = (double) originalSteps / steps;
            int[] out = new int[steps];
            for (int j = 0; j < steps; j++) {
                int index = (int) Math.floor(j * stride);
                out[j] = (originalSteps - index) * k - 1;
            }
            return out;
        }

        /** The chained plan through {@code timesteps}, ending at {@code end}. */
        Plan plan(int[] timesteps, NoiseLevel end) {
            checkCustom(timesteps, vp.trainSteps());
            List<NoiseLevel> levels = new ArrayList<>();
            for (int t : timesteps) {
                levels.add(vp.level(t));
            }
            levels.add(end);
            return Plan.chain(vp, levels, 1.0);
        }

        Plan lcm(int[] timesteps) {
            return plan(timesteps, NoiseLevel.clean(-1));
        }

        Plan tcd(int[] timesteps) {
            return plan(timesteps, vp.level(0));
        }
    }

    /**
     * {@code LCMScheduler.set_timesteps(steps)} on {@code vp}: {@code steps} of the {@code originalSteps}
     * distillation timesteps (999, 979, …, 19 for T = 1000 and 50), each step going to the next and the last
     * to the clean sample. Initial noise ε.
     *
     * @throws IllegalArgumentException when steps exceeds originalSteps or T, or originalSteps exceeds T
     */
    public static Plan lcmPlan(DiscreteVp vp, int steps, int originalSteps) {
        Skipping s = new Skipping(vp, originalSteps);
        return s.lcm(s.timesteps(steps));
    }

    /**
     * {@code TCDScheduler.set_timesteps(steps)} on {@code vp}: LCM's timesteps, each step going to the next and
     * the last to timestep 0 (not to the clean sample, as in diffusers). Initial noise ε.
     *
     * @throws IllegalArgumentException as {@link #lcmPlan}
     */
    public static Plan tcdPlan(DiscreteVp vp, int steps, int originalSteps) {
        Skipping s = new Skipping(vp, originalSteps);
        return s.tcd(s.timesteps(steps));
    }

    /** {@code LCMScheduler}: each step goes to the next timestep, the last one to the clean sample. */
    static Scheduler lcm(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        Skipping s = Skipping.read(r);
        X0Clipping clipping = ConfigFields.clipping(r, true, false);
        Lcm sampler = new Lcm(r.number("timestep_scaling", 10.0), 0.5, clipping);
        Recipe recipe = new Recipe(sampler, n -> s.lcm(s.timesteps(n)), s.vp(), SampleSpace.NATIVE,
                ModelConvention.of(ConfigFields.prediction(r)));
        return new Scheduler(c, recipe, r.unread());
    }

    /**
     * {@code TCDScheduler}: each step goes to the next timestep, the last one to timestep 0; γ is diffusers'
     * per-step {@code eta} (0.3 when the step is called without it).
     */
    static Scheduler tcd(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        Skipping s = Skipping.read(r);
        // diffusers' TCD step never clips or thresholds x̂₀, and uses timestep_scaling nowhere
        r.ignore("clip_sample", "clip_sample_range", "thresholding", "dynamic_thresholding_ratio", "sample_max_value", "timestep_scaling");
        Recipe recipe = new Recipe(new Tcd(), n -> s.tcd(s.timesteps(n)), s.vp(), SampleSpace.NATIVE,
                ModelConvention.of(ConfigFields.prediction(r)));
        return new Scheduler(c, recipe.withEta(Tcd::new), r.unread());
    }

    /** The Karras table of {@code CMStochasticIterativeScheduler}. */
    private record Karras(int trainSteps, KarrasSigmas sigmas, double sigmaData) {
        static Karras read(SchedulerConfig.Reading r) {
            int t = r.integer("num_train_timesteps", 40);
            Check.positive(t, "num_train_timesteps");
            KarrasSigmas k = new KarrasSigmas(r.number("sigma_min", 0.002), r.number("sigma_max", 80.0), r.number("rho", 7.0));
            return new Karras(t, k, r.number("sigma_data", 0.5));
        }

        /** diffusers' {@code set_timesteps(N)}: round(arange(N)·(T div N)), reversed. */
        int[] timesteps(int steps) {
            Check.positive(steps, "num_inference_steps");
            if (steps > trainSteps) {
                throw new IllegalArgumentException("num_inference_steps = " + steps + " cannot exceed num_train_timesteps = " + trainSteps);
            }
            int ratio = trainSteps / steps;
            int[] out = new int[steps];
            for (int i = 0; i < steps; i++) {
                out[i] = (steps - 1 - i) * ratio;
            }
            return out;
        }

        /**
         * The levels of diffusers' {@code set_timesteps}: σ_i on the ρ-ramp at ramp_i = reversed(timesteps)_i/(T − 1)
         * (so the first σ is σ_max whatever the list), stored as float32 as diffusers does, then σ_min; variance
         * exploding (α = 1, t = σ, as {@link KarrasSigmas}). diffusers computes its timesteps 250·ln σ from the
         * float64 σ, {@link ModelConvention.Consistency} from the stored float32 σ: they differ by about 10⁻⁵.
         */
        Plan plan(int[] timesteps) {
            checkCustom(timesteps, trainSteps);
            int n = timesteps.length;
            double[] ramp = new double[n];
            for (int i = 0; i < n; i++) {
                ramp[i] = (double) timesteps[n - 1 - i] / (trainSteps - 1);
            }
            List<NoiseLevel> levels = new ArrayList<>();
            double hi = Math.pow(sigmas.sigmaMax(), 1 / sigmas.rho());
            double lo = Math.pow(sigmas.sigmaMin(), 1 / sigmas.rho());
            for (double u : ramp) {
                levels.add(level(Math.pow(hi + u * (lo - hi), sigmas.rho())));
            }
            levels.add(level(sigmas.sigmaMin()));
            return Plan.chain(sigmas, levels, sigmas.sigmaMax());
        }

        private static NoiseLevel level(double sigma) {
            double stored = (float) sigma;
            return new NoiseLevel(stored, 1.0, stored);
        }
    }

    /**
     * {@code CMStochasticIterativeScheduler}: EDM's variance-exploding levels; the model sees x̃/√(σ² + σ_d²), is
     * told 250·ln σ and its raw output F becomes the consistency function f = c_skip·x̃ + c_out·F ({@link
     * ModelConvention.Consistency}), which {@link ConsistencyMultistep} clips and noises to the next level; the
     * last step goes to σ_min. {@code add_noise} at a timestep is x̃ = x₀ + σ·noise with σ = e^{timestep/250}.
     */
    static Scheduler consistencyModel(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        Karras k = Karras.read(r);
        ConsistencyMultistep sampler = new ConsistencyMultistep(k.sigmas().sigmaMin(), k.sigmas().sigmaMax(), r.number("s_noise", 1.0),
                r.bool("clip_denoised", true) ? new X0Clipping.Clamp(1.0) : X0Clipping.NONE);
        Recipe recipe = new Recipe(sampler, n -> k.plan(k.timesteps(n)), k.sigmas(), SampleSpace.SIGMA,
                new ModelConvention.Consistency(k.sigmas().sigmaMin(), k.sigmaData()));
        return new Scheduler(c, recipe, r.unread());
    }

    /**
     * diffusers' {@code set_timesteps(timesteps=[…])} of the three classes: an explicit, strictly decreasing
     * list of training timesteps below {@code num_train_timesteps}. (LCM/TCD take them as they are; the
     * consistency-model class maps them onto its σ ramp, as diffusers does.)
     *
     * @throws IllegalArgumentException for another class, or a list that is empty, not decreasing or out of range
     */
    public static SchedulerRun setTimesteps(Scheduler scheduler, int... timesteps) {
        SchedulerConfig c = scheduler.config();
        Plan plan = switch (c.className()) {
            case LCM -> Skipping.read(c.reading()).lcm(timesteps);
            case TCD -> Skipping.read(c.reading()).tcd(timesteps);
            case CM -> Karras.read(c.reading()).plan(timesteps);
            default -> throw new IllegalArgumentException("custom timesteps are offered for " + LCM + ", " + TCD + " and " + CM
                    + ", not " + c.className());
        };
        return new SchedulerRun(scheduler.recipe(), plan);
    }

    private static void checkCustom(int[] timesteps, int trainSteps) {
        if (timesteps == null || timesteps.length == 0) {
            throw new IllegalArgumentException("timesteps must not be empty");
        }
        for (int i = 0; i < timesteps.length; i++) {
            if (i > 0 && timesteps[i] >= timesteps[i - 1]) {
                throw new IllegalArgumentException("timesteps must be in descending order, got " + Arrays.toString(timesteps));
            }
            if (timesteps[i] < 0 || timesteps[i] >= trainSteps) {
                throw new IllegalArgumentException("timesteps must be in [0, " + (trainSteps - 1) + "] (num_train_timesteps = "
                        + trainSteps + "), got " + Arrays.toString(timesteps));
            }
        }
    }
}
