package io.diffusion4j.model;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.util.Check;

/**
 * EDM's preconditioning of a network F (Karras et al. 2022, "Elucidating the Design Space of
 * Diffusion-Based Generative Models", Table 1 and eq. 7): for the variance-exploding sample x̃ = x₀ + σ·ε,
 * the network sees c_in·x̃ and the noise label c_noise, and the denoiser is D(x̃; σ) = c_skip·x̃ + c_out·F with
 * <pre>
 *   c_in = 1/√(σ² + σ_d²)   c_skip = σ_d²/(σ² + σ_d²)   c_out = ±σ·σ_d/√(σ² + σ_d²)   c_noise = ¼·ln σ
 * </pre>
 * The sign of c_out is diffusers' {@code prediction_type} of the EDM schedulers ({@code EDMEulerScheduler},
 * {@code EDMDPMSolverMultistepScheduler}: {@code precondition_inputs}, {@code precondition_noise}, {@code
 * precondition_outputs}): + for {@code epsilon} (EDM's own F), − for {@code v_prediction} (then F = v for
 * σ_d = 1, the v of Salimans &amp; Ho 2022 in the VE scaling).
 *
 * <p>At a level (α, σ) of any process, σ here is the VE noise level σ/α and x̃ = x/α; on EDM's own plans
 * ({@link io.diffusion4j.schedule.Plans#karras}) α = 1. A network trained this way becomes a {@link Denoiser}
 * through diffusers' convention of these schedulers ({@code ModelConvention.Edm} in {@code
 * io.diffusion4j.diffusers}, also what a {@code Scheduler} of those classes gives by {@code denoiser(network)}).
 *
 * @param sigmaData σ_d &gt; 0, the data standard deviation (0.5 in EDM and in diffusers)
 * @param prediction {@link Prediction#EPSILON} (c_out &gt; 0) or {@link Prediction#V} (c_out &lt; 0)
 */
public record EdmPreconditioning(double sigmaData, Prediction prediction) {
    public EdmPreconditioning {
        Check.positive(sigmaData, "sigma_data");
        Check.notNull(prediction, "prediction");
        if (prediction != Prediction.EPSILON && prediction != Prediction.V) {
            throw new IllegalArgumentException("EDM preconditioning is defined for epsilon and v_prediction, got " + prediction.diffusersName());
        }
    }

    /** EDM's σ_d = 0.5 with its own (epsilon) sign. */
    public static final EdmPreconditioning EDM = new EdmPreconditioning(0.5, Prediction.EPSILON);

    /** c_in(σ) = 1/√(σ² + σ_d²): the network's input scale. */
    public double cIn(double sigma) {
        return 1 / Math.sqrt(sigma * sigma + sigmaData * sigmaData);
    }

    /** c_skip(σ) = σ_d²/(σ² + σ_d²). */
    public double cSkip(double sigma) {
        return sigmaData * sigmaData / (sigma * sigma + sigmaData * sigmaData);
    }

    /** c_out(σ) = ±σ·σ_d/√(σ² + σ_d²) (− for v_prediction). */
    public double cOut(double sigma) {
        double c = sigma * sigmaData / Math.sqrt(sigma * sigma + sigmaData * sigmaData);
        return prediction == Prediction.V ? -c : c;
    }

    /** c_noise(σ) = ¼·ln σ: the timestep the network is told (diffusers' EDM {@code timesteps}), in float32 as diffusers. */
    public static double cNoise(double sigma) {
        Check.positive(sigma, "sigma");
        return (float) (0.25 * Math.log((float) sigma));
    }

    /** The network's input c_in·x̃ for the native sample x at level (α, σ): c_in(σ/α)·x/α. */
    public NDArray modelInput(NDArray x, NoiseLevel level) {
        return x.mul(cIn(level.veSigma()) / level.alpha());
    }

    /**
     * (x̂₀, ε̂) from the network output F at level (α, σ) for the native sample x: x̂₀ = c_skip·x/α + c_out·F
     * with σ/α as EDM's σ, and ε̂ = (x − α·x̂₀)/σ.
     */
    public Estimate toEstimate(NDArray output, NDArray x, NoiseLevel level) {
        Check.positive(level.sigma(), "sigma of an EDM evaluation");
        double s = level.veSigma();
        NDArray x0 = x.mul(cSkip(s) / level.alpha()).add(output.mul(cOut(s)));
        return Estimate.fromX0(x, x0, level);
    }
}
