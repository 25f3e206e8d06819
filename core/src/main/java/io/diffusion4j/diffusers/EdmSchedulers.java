package io.diffusion4j.diffusers;

import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.EdmPreconditioning;
import io.diffusion4j.model.Network;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.sampler.DpmSolverPlusPlus;
import io.diffusion4j.sampler.Euler;
import io.diffusion4j.sampler.Sampler;
import io.diffusion4j.sampler.X0Clipping;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * diffusers' EDM schedulers, {@code EDMEulerScheduler} and {@code EDMDPMSolverMultistepScheduler} (Karras
 * et al. 2022): our {@link Euler} and {@link DpmSolverPlusPlus} on EDM's own variance-exploding levels
 * (α = 1, t = σ, a {@link KarrasSigmas} process), with the network adapted by {@link EdmPreconditioning}.
 *
 * <p>Not yet a {@link Scheduler}: a {@link Recipe} converts model outputs with a {@link Prediction} and
 * tells the model the level's time, and EDM needs c_skip/c_out (which depend on σ_d), the input scale c_in
 * and the timestep c_noise = ¼·ln σ. Until {@code Recipe} carries such a model interface these classes are
 * offered as an {@link Edm}: the sampler, the plans of {@code set_timesteps} and the denoiser of a network,
 * for {@link io.diffusion4j.sampler.SamplingLoop}.
 */
public final class EdmSchedulers {
    private EdmSchedulers() {}

    /**
     * An EDM scheduler configuration in our terms.
     *
     * @param config the config it was read from
     * @param sampler the core sampler
     * @param plans {@code set_timesteps(n)}: EDM levels, then σ = 0 or σ_min ({@code final_sigmas_type}); the
     *     initial noise scale is diffusers' {@code init_noise_sigma} = √(σ_max² + 1)
     * @param preconditioning σ_d and the sign of c_out
     * @param unknownFields fields of the config that were not read
     */
    public record Edm(SchedulerConfig config, Sampler sampler, IntFunction<Plan> plans, EdmPreconditioning preconditioning,
                      List<String> unknownFields) {
        public Edm {
            Check.notNull(config, "config");
            Check.notNull(sampler, "sampler");
            Check.notNull(plans, "plans");
            Check.notNull(preconditioning, "preconditioning");
            unknownFields = List.copyOf(unknownFields);
        }

        /** The plan of {@code set_timesteps(steps)}. */
        public Plan plan(int steps) {
            return plans.apply(steps);
        }

        /** diffusers' {@code timesteps} after {@code set_timesteps(steps)}: c_noise = ¼·ln σ of each step. */
        public double[] timesteps(int steps) {
            return plan(steps).points().stream().mapToDouble(l -> EdmPreconditioning.cNoise(l.sigma())).toArray();
        }

        /** The denoiser of a network trained with this preconditioning (input c_in·x, timestep c_noise). */
        public Denoiser denoiser(Network network) {
            return preconditioning.denoiser(network);
        }
    }

    /** The EDM scheduler of a config whose class is {@code EDMEulerScheduler} or {@code EDMDPMSolverMultistepScheduler}. */
    public static Edm fromConfig(SchedulerConfig c) {
        return switch (c.className()) {
            case "EDMEulerScheduler" -> euler(c);
            case "EDMDPMSolverMultistepScheduler" -> dpmSolverMultistep(c);
            default -> throw new IllegalArgumentException("not an EDM scheduler: " + c.className()
                    + "; offered: EDMEulerScheduler, EDMDPMSolverMultistepScheduler");
        };
    }

    /** {@code EDMEulerScheduler} without churn ({@code step}'s default s_churn = 0); σ ramp in double, stored in float32. */
    static Edm euler(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        Levels levels = levels(r);
        EdmPreconditioning pre = preconditioning(r);
        return new Edm(c, new Euler(), levels::plan, pre, r.unread());
    }

    /**
     * {@code EDMDPMSolverMultistepScheduler} with {@code algorithm_type = "dpmsolver++"}: the data-prediction
     * solver on α = 1, σ levels ({@code _sigma_to_alpha_sigma_t} gives α = 1 there), with its order, solver
     * type, final-step rules and thresholding. The SDE variant is refused.
     */
    static Edm dpmSolverMultistep(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        Levels levels = levels(r);
        EdmPreconditioning pre = preconditioning(r);
        int order = r.integer("solver_order", 2);
        r.choice("algorithm_type", "dpmsolver++", "dpmsolver++");
        DpmSolverPlusPlus.SolverType type = r.choice("solver_type", "midpoint", "midpoint", "heun").equals("midpoint")
                ? DpmSolverPlusPlus.SolverType.MIDPOINT : DpmSolverPlusPlus.SolverType.HEUN;
        boolean lowerOrderFinal = r.bool("lower_order_final", true);
        boolean eulerAtFinal = r.bool("euler_at_final", false);
        X0Clipping clipping = ConfigFields.clipping(r, false, false);
        Sampler sampler = new DpmSolverPlusPlus(order, type, lowerOrderFinal, eulerAtFinal, clipping, DpmSolverPlusPlus.ThirdOrder.DIFFUSERS);
        return new Edm(c, sampler, levels::plan, pre, r.unread());
    }

    private static EdmPreconditioning preconditioning(SchedulerConfig.Reading r) {
        double sigmaData = r.number("sigma_data", 0.5);
        Prediction p = Prediction.fromName(r.choice("prediction_type", "epsilon", "epsilon", "v_prediction"));
        return new EdmPreconditioning(sigmaData, p);
    }

    private static Levels levels(SchedulerConfig.Reading r) {
        double min = r.number("sigma_min", 0.002);
        double max = r.number("sigma_max", 80.0);
        double rho = r.number("rho", 7.0);
        boolean karras = r.choice("sigma_schedule", "karras", "karras", "exponential").equals("karras");
        boolean zeroEnd = r.choice("final_sigmas_type", "zero", "zero", "sigma_min").equals("zero");
        r.integer("num_train_timesteps", 1000);
        return new Levels(new KarrasSigmas(min, max, rho), karras, zeroEnd);
    }

    /** The σ levels of {@code set_timesteps}: diffusers' ramp rounded to float32, then the final level. */
    private record Levels(KarrasSigmas schedule, boolean karras, boolean zeroEnd) {
        Plan plan(int steps) {
            Check.positive(steps, "steps");
            List<NoiseLevel> levels = new ArrayList<>();
            for (double s : sigmas(steps)) {
                float f = (float) s;
                levels.add(new NoiseLevel(f, 1.0, f));
            }
            levels.add(zeroEnd ? NoiseLevel.clean(0) : new NoiseLevel((float) schedule.sigmaMin(), 1.0, (float) schedule.sigmaMin()));
            double max = schedule.sigmaMax();
            return Plan.chain(schedule, levels, Math.sqrt(max * max + 1));
        }

        /**
         * Karras: eq. 5 of Karras et al. with ρ (diffusers' {@code _compute_karras_sigmas}); exponential: σ
         * uniform in log between σ_max and σ_min ({@code _compute_exponential_sigmas}, the CosXL schedule).
         */
        private double[] sigmas(int steps) {
            if (karras) {
                return KarrasSigmas.ramp(schedule.sigmaMin(), schedule.sigmaMax(), schedule.rho(), steps);
            }
            double[] s = new double[steps];
            double lo = Math.log(schedule.sigmaMin());
            double hi = Math.log(schedule.sigmaMax());
            for (int i = 0; i < steps; i++) {
                double r = steps == 1 ? 1 : (double) i / (steps - 1);
                s[i] = Math.exp((float) (hi + r * (lo - hi)));
            }
            return s;
        }
    }
}
