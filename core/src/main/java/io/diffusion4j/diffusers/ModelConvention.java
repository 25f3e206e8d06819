package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.EdmPreconditioning;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.model.Network;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.NoiseSchedule;
import io.diffusion4j.util.Check;

import java.util.Optional;

/**
 * How a diffusers scheduler talks to its model, in terms of our native sample x = α·x₀ + σ·ε at a level:
 * what the model is given ({@code scale_model_input}), which timestep it is told ({@code timesteps}), and
 * how its output becomes an estimate (the first lines of every {@code step}). The scheduler's own sample
 * and its scaling relative to x are the {@link SampleSpace}'s business; the mathematics of the update is
 * the sampler's.
 *
 * <p>The conventions diffusers uses: {@link Predicting} (a {@code prediction_type}, timesteps the level's
 * own time or σ·T for flow matching), {@link Edm} (EDM's c_in, c_noise, c_skip, c_out) and {@link
 * Consistency} (consistency models' 250·ln σ timesteps and boundary-condition scalings).
 */
public sealed interface ModelConvention permits ModelConvention.Predicting, ModelConvention.Edm, ModelConvention.Consistency {

    /** diffusers' {@code scale_model_input}: what the model is given for our native sample {@code x} at {@code level}. */
    NDArray modelInput(NDArray x, NoiseLevel level);

    /** diffusers' timestep of a level: the time label the model is told, and the value {@code step} is called with. */
    double timestep(NoiseLevel level);

    /**
     * The inverse of {@link #timestep}: the level of {@code schedule} that diffusers' timestep {@code timestep}
     * names (used by {@code add_noise} at a timestep that is not one of a run's).
     *
     * @throws IllegalArgumentException when the timestep is outside the schedule
     */
    NoiseLevel level(NoiseSchedule schedule, double timestep);

    /** (x̂₀, ε̂) from the model's raw {@code output} for our native sample {@code x} at {@code level}. */
    Estimate toEstimate(NDArray output, NDArray x, NoiseLevel level);

    /** The model's prediction type, when the output is read as one (not for EDM or consistency models). */
    default Optional<Prediction> prediction() {
        return Optional.empty();
    }

    /**
     * The denoiser of a network that follows this convention, for {@link io.diffusion4j.sampler.SamplingLoop}:
     * the network gets {@link #modelInput} and, as a float32 (N,) array, {@link #timestep}; its output becomes
     * (x̂₀, ε̂) by {@link #toEstimate}.
     */
    default Denoiser denoiser(Network network) {
        Check.notNull(network, "network");
        return (x, level, cond) -> {
            NDArray t = x.getManager().full(new Shape(x.getShape().get(0)), (float) timestep(level)).toType(DataType.FLOAT32, false);
            NDArray out = network.apply(modelInput(x, level), t, cond.labels());
            if (!out.getShape().equals(x.getShape())) {
                throw new IllegalStateException("network output shape " + out.getShape() + " differs from its input shape " + x.getShape());
            }
            return toEstimate(out, x, level);
        };
    }

    /** A model with a {@code prediction_type} that sees our native sample and is told the level's own time. */
    static ModelConvention of(Prediction prediction) {
        return new Predicting(prediction, 1.0);
    }

    /**
     * A flow-matching velocity model told σ·{@code trainSteps} (diffusers' flow schedulers; t = σ on {@link
     * io.diffusion4j.schedule.RectifiedFlow}).
     */
    static ModelConvention flow(int trainSteps) {
        return new Predicting(Prediction.VELOCITY, Check.positive(trainSteps, "num_train_timesteps"));
    }

    /**
     * A model whose output is a {@link Prediction}: it sees our native x unscaled (for the σ-view schedulers
     * that is {@code scale_model_input}'s x̃/√(σ̃² + 1) = α·x̃), is told {@code timestepScale}·t, and its output
     * is converted by {@link Prediction#toEstimate}.
     *
     * @param type the prediction type ({@code prediction_type})
     * @param timestepScale diffusers' timestep of a level is {@code timestepScale}·t: 1, or T for flow matching
     */
    record Predicting(Prediction type, double timestepScale) implements ModelConvention {
        public Predicting {
            Check.notNull(type, "prediction");
            Check.positive(timestepScale, "timestep scale");
        }

        @Override
        public NDArray modelInput(NDArray x, NoiseLevel level) {
            return x;
        }

        @Override
        public double timestep(NoiseLevel level) {
            return level.t() * timestepScale;
        }

        @Override
        public NoiseLevel level(NoiseSchedule schedule, double timestep) {
            return schedule.level(timestep / timestepScale);
        }

        @Override
        public Estimate toEstimate(NDArray output, NDArray x, NoiseLevel level) {
            return type.toEstimate(output, x, level);
        }

        @Override
        public Optional<Prediction> prediction() {
            return Optional.of(type);
        }
    }

    /**
     * EDM's preconditioning (Karras et al. 2022, Table 1; diffusers' {@code EDMEulerScheduler}, {@code
     * EDMDPMSolverMultistepScheduler}): the model sees c_in·x̃ and is told c_noise = ¼·ln σ̃ (in float32, as
     * diffusers), its output F gives x̂₀ = c_skip·x̃ + c_out·F; σ̃ = σ/α and x̃ = x/α (α = 1 on EDM's own levels).
     *
     * @param preconditioning σ_d and the sign of c_out
     */
    record Edm(EdmPreconditioning preconditioning) implements ModelConvention {
        public Edm {
            Check.notNull(preconditioning, "preconditioning");
        }

        @Override
        public NDArray modelInput(NDArray x, NoiseLevel level) {
            return preconditioning.modelInput(x, level);
        }

        @Override
        public double timestep(NoiseLevel level) {
            return EdmPreconditioning.cNoise(level.veSigma());
        }

        /** σ̃ = e^{4·timestep}. */
        @Override
        public NoiseLevel level(NoiseSchedule schedule, double timestep) {
            return schedule.atVeSigma(Math.exp(4 * Check.finite(timestep, "timestep")));
        }

        @Override
        public Estimate toEstimate(NDArray output, NDArray x, NoiseLevel level) {
            return preconditioning.toEstimate(output, x, level);
        }
    }

    /**
     * Consistency models (Song, Dhariwal, Chen &amp; Sutskever 2023, App. C; diffusers' {@code
     * CMStochasticIterativeScheduler}): the model sees EDM's c_in·x̃ = x̃/√(σ̃² + σ_d²), is told diffusers'
     * {@code sigma_to_t} = 1000·¼·ln(σ̃ + 10⁻⁴⁴), and its output F becomes the consistency function, the
     * estimate x̂₀ = f = c_skip·x̃ + c_out·F with the boundary-condition scalings (EDM's shifted by ε = σ_min,
     * so that f(x̃, σ_min) = x̃):
     * <pre>
     *   c_skip = σ_d²/((σ̃ − σ_min)² + σ_d²)   c_out = (σ̃ − σ_min)·σ_d/√(σ̃² + σ_d²)
     * </pre>
     *
     * @param sigmaMin σ_min &gt; 0 ({@code sigma_min}, the paper's ε)
     * @param sigmaData σ_d &gt; 0 ({@code sigma_data})
     */
    record Consistency(double sigmaMin, double sigmaData) implements ModelConvention {
        public Consistency {
            Check.positive(sigmaMin, "sigma_min");
            Check.positive(sigmaData, "sigma_data");
        }

        /** c_in(σ) = 1/√(σ² + σ_d²). */
        public double cIn(double sigma) {
            return 1 / Math.sqrt(sigma * sigma + sigmaData * sigmaData);
        }

        /** c_skip(σ) = σ_d²/((σ − σ_min)² + σ_d²): 1 at σ_min. */
        public double cSkip(double sigma) {
            double d = sigma - sigmaMin;
            return sigmaData * sigmaData / (d * d + sigmaData * sigmaData);
        }

        /** c_out(σ) = (σ − σ_min)·σ_d/√(σ² + σ_d²): 0 at σ_min. */
        public double cOut(double sigma) {
            return (sigma - sigmaMin) * sigmaData * cIn(sigma);
        }

        @Override
        public NDArray modelInput(NDArray x, NoiseLevel level) {
            return x.mul(cIn(level.veSigma()) / level.alpha());
        }

        @Override
        public double timestep(NoiseLevel level) {
            return 1000 * 0.25 * Math.log(level.veSigma() + 1e-44);
        }

        /** σ̃ = e^{timestep/250} (the 10⁻⁴⁴ of {@link #timestep} is below double resolution at any σ̃ ≥ σ_min). */
        @Override
        public NoiseLevel level(NoiseSchedule schedule, double timestep) {
            return schedule.atVeSigma(Math.exp(Check.finite(timestep, "timestep") / 250));
        }

        @Override
        public Estimate toEstimate(NDArray output, NDArray x, NoiseLevel level) {
            double s = level.veSigma();
            NDArray f = x.mul(cSkip(s) / level.alpha()).add(output.mul(cOut(s)));
            return Estimate.fromX0(x, f, level);
        }
    }
}
