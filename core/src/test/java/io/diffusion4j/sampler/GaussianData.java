package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.GaussianMixtureDenoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;

/**
 * Gaussian data N(m, s²·I): its exact denoiser and its exact probability-flow map, in closed form.
 * For x = α·x₀ + σ·ε the marginal is N(α·m, (α²s² + σ²)·I) and the probability-flow ODE moves each
 * standardised coordinate unchanged, so x_b = α_b·m + √(α_b²s² + σ_b²)/√(α_a²s² + σ_a²)·(x_a − α_a·m).
 */
record GaussianData(int dim, double mean, double std) {

    GaussianMixtureDenoiser denoiser() {
        return GaussianMixtureDenoiser.gaussian(dim, mean, std);
    }

    /** Exact PF-ODE map of x from level a to level b, computed in float64 on the host. */
    double[] exactFlow(float[] x, NoiseLevel a, NoiseLevel b) {
        double sa = Math.sqrt(a.alpha() * a.alpha() * std * std + a.sigma() * a.sigma());
        double sb = Math.sqrt(b.alpha() * b.alpha() * std * std + b.sigma() * b.sigma());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = b.alpha() * mean + sb / sa * (x[i] - a.alpha() * mean);
        }
        return out;
    }

    /** A fixed start at the plan's first level: samples of the true marginal there. */
    NDArray start(NDManager m, int n, NoiseLevel a, long seed) {
        NDArray eps = new NoiseSource(seed).normal(m, new Shape(dim), NoiseSource.range(0, n), 0);
        double sa = Math.sqrt(a.alpha() * a.alpha() * std * std + a.sigma() * a.sigma());
        return eps.mul(sa).add(a.alpha() * mean);
    }

    /** Max abs error of running {@code sampler} over {@code plan} from the start vs the exact map. */
    double flowError(NDManager m, Sampler sampler, Plan plan, int n) {
        NDArray start = start(m, n, plan.point(0), 7);
        NDArray out = new SamplingLoop(sampler, denoiser(), plan).run(start, Conditioning.NONE, new NoiseSource(1), NoiseSource.range(0, n));
        double[] exact = exactFlow(start.toFloatArray(), plan.point(0), plan.end());
        float[] got = out.toFloatArray();
        double err = 0;
        for (int i = 0; i < got.length; i++) {
            err = Math.max(err, Math.abs(got[i] - exact[i]));
        }
        return err;
    }

    /** Least-squares slope of −log(err) against log(steps): the empirical convergence order. */
    static double order(int[] steps, double[] errors) {
        int k = steps.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < k; i++) {
            mx += Math.log(steps[i]) / k;
            my += -Math.log(errors[i]) / k;
        }
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < k; i++) {
            double dx = Math.log(steps[i]) - mx;
            sxy += dx * (-Math.log(errors[i]) - my);
            sxx += dx * dx;
        }
        return sxy / sxx;
    }
}
