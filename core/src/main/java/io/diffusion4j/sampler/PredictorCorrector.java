package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

import java.util.Arrays;

/**
 * Predictor–corrector sampling (Song et al. 2021, Alg. 2, and Alg. 4/5 of App. G): each step is one
 * {@link ReverseSde} predictor step to the target level, then {@code correctorSteps} Langevin MCMC steps
 * at that level,
 * <pre>  x ← x + ε·∇log p(x) + √(2ε)·z,   ∇log p = −ε̂/σ,   ε = 2·α_i·(r·‖z‖/‖∇log p‖)²,</pre>
 * in the plan's native scaling, with a fresh denoiser call and fresh noise z per corrector step and
 * r = {@code snr}. We take α_i = 1 (Song et al.'s value for VE SDEs; for VP SDEs they use 1 − β_i,
 * within 2% of 1 for DDPM tables). The step size is invariant under x ↦ x/α, so this is also the
 * corrector of the VE view. No correction follows a step to the clean sample.
 *
 * <p>Norms are taken per sample (Song et al.'s code and diffusers' {@code ScoreSdeVeScheduler.step_correct}
 * average them over the batch), so a sample does not depend on the rest of its batch. For a Gaussian
 * target in d dimensions this rule's stationary variance is (d + 2)/(d − 2)·(1 + r²) times the true one
 * (from E‖z‖⁴ = d(d + 2) and E[1/‖x − μ‖²] = 1/((d − 2)·v)): +3% for 28×28 images at r = 0.16, but
 * large for low-dimensional data (infinite mean step size at d = 2), where {@code correctorSteps = 0}
 * or {@link ReverseSde} alone is the better choice. diffusers' {@code ScoreSdeVeScheduler} uses
 * r = 0.15 by default.
 *
 * @param correctorSteps Langevin steps per level, 0 … {@value #MAX_CORRECTOR_STEPS} (noise sub-draws 1 …
 *     15 of a step; 0 is the plain reverse SDE)
 * @param snr the signal-to-noise ratio r &gt; 0 of a corrector step (0.16 in Song et al. for CIFAR-10)
 */
public record PredictorCorrector(int correctorSteps, double snr) implements Sampler {
    /** The most corrector steps per level: a step has 16 noise sub-draws and the predictor uses one. */
    public static final int MAX_CORRECTOR_STEPS = 15;
    private static final ReverseSde PREDICTOR = new ReverseSde();

    public PredictorCorrector {
        Check.inRange(correctorSteps, 0, MAX_CORRECTOR_STEPS, "correctorSteps");
        Check.positive(snr, "snr");
    }

    /** One corrector step at r = 0.16 (Song et al.'s CIFAR-10 setting). */
    public PredictorCorrector() {
        this(1, 0.16);
    }

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        Stepped predicted = PREDICTOR.step(ctx, x, history);
        NoiseLevel to = ctx.to();
        NDArray corrected = predicted.x();
        for (int k = 1; k <= correctorSteps && !to.isClean(); k++) {
            corrected = langevin(ctx, corrected, to, k);
        }
        return new Stepped(corrected, predicted.x0(), history);
    }

    /** One Langevin step at {@code level} with noise sub-draw {@code draw}; the step size is per row. */
    private NDArray langevin(StepContext ctx, NDArray x, NoiseLevel level, int draw) {
        Estimate e = ctx.denoiser().denoise(x, level, ctx.cond());
        NDArray z = ctx.noise().normal(draw);
        double[] noiseNorm2 = rowSquaredNorms(z);
        double[] epsNorm2 = rowSquaredNorms(e.eps());
        int n = noiseNorm2.length;
        float[] drift = new float[n];
        float[] diffusion = new float[n];
        double sigma = level.sigma();
        for (int r = 0; r < n; r++) {
            // ε = 2(r‖z‖/‖ε̂/σ‖)²; a zero score (x exactly at a mode) gets no move rather than an infinite one.
            double stepSize = epsNorm2[r] > 0 ? 2 * snr * snr * sigma * sigma * noiseNorm2[r] / epsNorm2[r] : 0;
            drift[r] = (float) (stepSize / sigma);
            diffusion[r] = (float) Math.sqrt(2 * stepSize);
        }
        long[] dims = new long[x.getShape().dimension()];
        Arrays.fill(dims, 1);
        dims[0] = n;
        Shape perRow = new Shape(dims);
        NDArray driftRows = x.getManager().create(drift, perRow);
        NDArray diffusionRows = x.getManager().create(diffusion, perRow);
        return x.sub(e.eps().mul(driftRows)).add(z.mul(diffusionRows));
    }

    /** ‖row‖² of each row, summed on the host in double and in a fixed order (batch-independent bits). */
    private static double[] rowSquaredNorms(NDArray a) {
        int n = (int) a.getShape().get(0);
        float[] v = a.toFloatArray();
        int d = v.length / n;
        double[] out = new double[n];
        for (int r = 0; r < n; r++) {
            double s = 0;
            for (int j = r * d; j < (r + 1) * d; j++) {
                s += (double) v[j] * v[j];
            }
            out[r] = s;
        }
        return out;
    }

    /** 1 + correctorSteps denoiser calls per step, one for a step to the clean sample. */
    @Override
    public int evaluations(Plan plan) {
        return VeSteps.evaluations(plan, 1 + correctorSteps);
    }

    @Override
    public void checkPlan(Plan plan) {
        VeSteps.requireFiniteVeSigma(plan, "predictor-corrector");
    }
}
