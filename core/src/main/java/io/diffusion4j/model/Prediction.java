package io.diffusion4j.model;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.schedule.NoiseLevel;

/**
 * What a network outputs, for x = α·x₀ + σ·ε (diffusers {@code prediction_type}). {@link #toEstimate}
 * is the one converter from any of them to (x̂₀, ε̂); {@link #target} is its inverse for training.
 */
public enum Prediction {
    /** ε (Ho et al. 2020). diffusers {@code epsilon}. */
    EPSILON("epsilon"),
    /** x₀ itself. diffusers {@code sample}. */
    SAMPLE("sample"),
    /** v = α·ε − σ·x₀ (Salimans &amp; Ho 2022). diffusers {@code v_prediction}. */
    V("v_prediction"),
    /** Flow-matching velocity u = ε − x₀ = dx/dt for α = 1 − t, σ = t (Lipman et al. 2022). diffusers {@code flow_prediction}. */
    VELOCITY("flow_prediction");

    private final String diffusersName;

    Prediction(String diffusersName) {
        this.diffusersName = diffusersName;
    }

    /** diffusers' name of this prediction type. */
    public String diffusersName() {
        return diffusersName;
    }

    /** The prediction with diffusers' name (or our enum name, any case). */
    public static Prediction fromName(String name) {
        for (Prediction p : values()) {
            if (p.diffusersName.equals(name) || p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("prediction_type must be one of epsilon, sample, v_prediction, flow_prediction; got " + name);
    }

    /**
     * (x̂₀, ε̂) from a network output at level (α, σ) and input x. General in α and σ:
     * <ul>
     *   <li>ε: x̂₀ = (x − σ·ε̂)/α;</li>
     *   <li>x₀: ε̂ = (x − α·x̂₀)/σ (ε̂ = 0 at σ = 0);</li>
     *   <li>v: x̂₀ = (α·x − σ·v)/(α² + σ²), ε̂ = (σ·x + α·v)/(α² + σ²);</li>
     *   <li>velocity: x̂₀ = (x − σ·u)/(α + σ), ε̂ = (x + α·u)/(α + σ).</li>
     * </ul>
     */
    public Estimate toEstimate(NDArray output, NDArray x, NoiseLevel level) {
        double a = level.alpha();
        double s = level.sigma();
        switch (this) {
            case EPSILON -> {
                return Estimate.fromEps(x, output, level);
            }
            case SAMPLE -> {
                return Estimate.fromX0(x, output, level);
            }
            case V -> {
                double n = a * a + s * s;
                return new Estimate(x.mul(a / n).sub(output.mul(s / n)), x.mul(s / n).add(output.mul(a / n)));
            }
            case VELOCITY -> {
                double n = a + s;
                return new Estimate(x.sub(output.mul(s)).div(n), x.add(output.mul(a)).div(n));
            }
            default -> throw new AssertionError(this);
        }
    }

    /** The training target of this prediction type for clean x₀ and noise ε at level (α, σ). */
    public NDArray target(NDArray x0, NDArray eps, NoiseLevel level) {
        return switch (this) {
            case EPSILON -> eps;
            case SAMPLE -> x0;
            case V -> eps.mul(level.alpha()).sub(x0.mul(level.sigma()));
            case VELOCITY -> eps.sub(x0);
        };
    }
}
