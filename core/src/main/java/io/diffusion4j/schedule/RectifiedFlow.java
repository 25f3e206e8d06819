package io.diffusion4j.schedule;

import io.diffusion4j.util.Check;

/**
 * Rectified flow / flow matching (Liu et al. 2022; Lipman et al. 2022): x_t = (1 − t)·x₀ + t·ε for
 * t ∈ [0, 1], so α = 1 − t and σ = t. The network predicts the velocity u = ε − x₀.
 *
 * <p>{@code shift} is the resolution-dependent timestep shift of Esser et al. 2024 (SD3) applied when a
 * sampling plan is made: t ↦ shift·t / (1 + (shift − 1)·t) (diffusers
 * {@code FlowMatchEulerDiscreteScheduler}, {@code shift}). It does not change α(t) and σ(t).
 *
 * @param shift timestep shift, &gt; 0 (1 = none)
 */
public record RectifiedFlow(double shift) implements NoiseSchedule {
    public RectifiedFlow {
        Check.positive(shift, "shift");
    }

    /** The unshifted process. */
    public RectifiedFlow() {
        this(1.0);
    }

    @Override
    public double alpha(double t) {
        return 1.0 - checkTime(t);
    }

    @Override
    public double sigma(double t) {
        return checkTime(t);
    }

    /** σ/α = t/(1 − t), so t = σ_ve/(1 + σ_ve). */
    @Override
    public NoiseLevel atVeSigma(double veSigma) {
        Check.nonNegative(veSigma, "sigma");
        double t = Double.isInfinite(veSigma) ? 1.0 : veSigma / (1 + veSigma);
        return new NoiseLevel(t, 1 - t, t);
    }

    @Override
    public double tMin() {
        return 0;
    }

    @Override
    public double tMax() {
        return 1;
    }

    /** The shifted time shift·t / (1 + (shift − 1)·t). */
    public double shifted(double t) {
        checkTime(t);
        return shift * t / (1 + (shift - 1) * t);
    }
}
