package io.diffusion4j.diffusers;

import io.diffusion4j.model.EdmPreconditioning;
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

/**
 * diffusers' EDM schedulers, {@code EDMEulerScheduler} and {@code EDMDPMSolverMultistepScheduler} (Karras
 * et al. 2022): our {@link Euler} and {@link DpmSolverPlusPlus} on EDM's own variance-exploding levels
 * (α = 1, t = σ, a {@link KarrasSigmas} process), the model called through EDM's preconditioning ({@link
 * ModelConvention.Edm}: input c_in·x̃, timesteps c_noise = ¼·ln σ, x̂₀ = c_skip·x̃ + c_out·F). The sample is
 * x̃ itself and {@code init_noise_sigma} is √(σ_max² + 1), as in diffusers.
 */
final class EdmSchedulers {
    private EdmSchedulers() {}

    /** {@code EDMEulerScheduler} without churn ({@code step}'s default s_churn = 0); σ ramp in double, stored in float32. */
    static Scheduler euler(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        Levels levels = levels(r);
        ModelConvention model = new ModelConvention.Edm(preconditioning(r));
        return new Scheduler(c, new Recipe(new Euler(), levels::plan, levels.schedule(), SampleSpace.SIGMA, model), r.unread());
    }

    /**
     * {@code EDMDPMSolverMultistepScheduler} with {@code algorithm_type = "dpmsolver++"}: the data-prediction
     * solver on α = 1, σ levels ({@code _sigma_to_alpha_sigma_t} gives α = 1 there), with its order, solver
     * type, final-step rules and thresholding. The SDE variant is refused.
     */
    static Scheduler dpmSolverMultistep(SchedulerConfig c) {
        SchedulerConfig.Reading r = c.reading();
        Levels levels = levels(r);
        ModelConvention model = new ModelConvention.Edm(preconditioning(r));
        int order = r.integer("solver_order", 2);
        r.choice("algorithm_type", "dpmsolver++", "dpmsolver++");
        DpmSolverPlusPlus.SolverType type = r.choice("solver_type", "midpoint", "midpoint", "heun").equals("midpoint")
                ? DpmSolverPlusPlus.SolverType.MIDPOINT : DpmSolverPlusPlus.SolverType.HEUN;
        boolean lowerOrderFinal = r.bool("lower_order_final", true);
        boolean eulerAtFinal = r.bool("euler_at_final", false);
        X0Clipping clipping = ConfigFields.clipping(r, false, false);
        Sampler sampler = new DpmSolverPlusPlus(order, type, lowerOrderFinal, eulerAtFinal, clipping, DpmSolverPlusPlus.ThirdOrder.DIFFUSERS);
        return new Scheduler(c, new Recipe(sampler, levels::plan, levels.schedule(), SampleSpace.SIGMA, model), r.unread());
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
