package io.diffusion4j.train;

import io.diffusion4j.model.Prediction;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.NoiseLevel;

/**
 * Per-timestep loss weights. Each is defined in x₀ space (the weight w₀ of ‖x₀ − x̂₀‖²) and converted
 * to the target actually regressed: at fixed x_t, ‖ε − ε̂‖² = SNR·‖x₀ − x̂₀‖² and
 * ‖v − v̂‖² = (SNR + 1)·‖x₀ − x̂₀‖² (for α² + σ² = 1), so w_ε = w₀/SNR, w_v = w₀/(SNR + 1), w_x₀ = w₀.
 */
public enum LossWeighting {
    /** Every target weighted 1 (Ho et al. 2020, L_simple, for whichever target is regressed). */
    UNIFORM,
    /**
     * Min-SNR-γ (Hang et al. 2023, eq. 5): w₀ = min(SNR, γ); hence ε: min(SNR, γ)/SNR, v: min(SNR, γ)/(SNR + 1),
     * x₀: min(SNR, γ). At SNR = 0 (zero terminal SNR) the ε weight takes its limit 1.
     */
    MIN_SNR,
    /**
     * The variational bound (Ho et al. 2020, eq. 12): the ε weight is λ_t of {@link DiscreteVp#vlbWeight};
     * x₀: λ_t·SNR, v: λ_t·SNR/(SNR + 1).
     */
    VLB;

    /**
     * The weight of one row.
     *
     * @param prediction the regressed target (EPSILON, SAMPLE or V)
     * @param vp the schedule (for VLB)
     * @param t the timestep index
     * @param gamma γ of Min-SNR (&gt; 0)
     */
    public double weight(Prediction prediction, DiscreteVp vp, int t, double gamma) {
        NoiseLevel level = vp.level(t);
        double snr = level.snr();
        return switch (this) {
            case UNIFORM -> 1.0;
            case MIN_SNR -> switch (prediction) {
                case EPSILON -> snr <= gamma ? 1.0 : gamma / snr;
                case SAMPLE -> Math.min(snr, gamma);
                case V -> Math.min(snr, gamma) / (snr + 1);
                case VELOCITY -> throw unsupported(prediction);
            };
            case VLB -> switch (prediction) {
                case EPSILON -> vp.vlbWeight(t);
                case SAMPLE -> vp.vlbWeight(t) * snr;
                case V -> vp.vlbWeight(t) * snr / (snr + 1);
                case VELOCITY -> throw unsupported(prediction);
            };
        };
    }

    private static IllegalArgumentException unsupported(Prediction p) {
        return new IllegalArgumentException("diffusion loss weights are defined for epsilon, sample and v_prediction; got "
                + p.diffusersName() + " (use the flow-matching objective)");
    }
}
