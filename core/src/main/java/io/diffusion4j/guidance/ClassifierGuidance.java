package io.diffusion4j.guidance;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.util.Check;

/**
 * Classifier guidance (Dhariwal &amp; Nichol 2021, Alg. 2) as a {@link Denoiser}: the score of x is
 * −ε/σ, so adding s·∇ log p(y|x) to it gives ε̃ = ε̂ − s·σ·∇_x log p(y|x), and x̂₀ = (x − σ·ε̃)/α.
 * The inner denoiser is called with the same conditioning (unconditional models ignore it).
 *
 * @param inner the denoiser to guide
 * @param gradient ∇_x log p(y | x) of a classifier
 * @param scale guidance scale s ≥ 0 (0 = off)
 */
public record ClassifierGuidance(Denoiser inner, ClassifierGradient gradient, double scale) implements Denoiser {
    public ClassifierGuidance {
        Check.notNull(inner, "inner denoiser");
        Check.notNull(gradient, "classifier gradient");
        Check.nonNegative(scale, "classifier guidance scale");
    }

    @Override
    public Estimate denoise(NDArray x, NoiseLevel level, Conditioning cond) {
        if (!cond.hasLabels()) {
            throw new IllegalArgumentException("classifier guidance needs class labels");
        }
        Estimate e = inner.denoise(x, level, cond);
        if (scale == 0 || level.isClean() || level.alpha() == 0) {
            return e;
        }
        NDArray g = gradient.gradLogProb(x, level, cond.labels());
        if (!g.getShape().equals(x.getShape())) {
            throw new IllegalStateException("classifier gradient shape " + g.getShape() + " differs from x " + x.getShape());
        }
        NDArray eps = e.eps().sub(g.mul(scale * level.sigma()));
        return Estimate.fromEps(x, eps, level);
    }
}
