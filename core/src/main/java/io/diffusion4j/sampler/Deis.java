package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.util.Check;

/**
 * DEIS, the diffusion exponential integrator sampler (Zhang &amp; Chen 2023, "Fast Sampling of Diffusion Models
 * with Exponential Integrator", ICLR, arXiv:2204.13902), in the multistep ρAB form diffusers' {@code
 * DEISMultistepScheduler} implements ({@code algorithm_type="deis"}, {@code solver_type="logrho"}): in the
 * variance-exploding variable x̃ = x/α with ρ = σ/α the probability-flow ODE is dx̃/dρ = ε̂, so
 * <pre>
 *   x_t = α_t·( x/α_s + Σⱼ cⱼ·ε̂ⱼ ),   cⱼ = ∫_{ρ_s}^{ρ_t} Lⱼ(ln ρ) dρ
 * </pre>
 * where Lⱼ is the Lagrange basis polynomial, in ln ρ, through the levels of the current and up to two previous
 * ε̂ (order 1: c = ρ_t − ρ_s, the DDIM step). The integrals are diffusers' closed forms ({@code ind_fn}), in
 * double on the host. ε̂ is taken from x̂₀ after {@code clipping} (diffusers thresholds x̂₀, then uses
 * ε̂ = (x − α·x̂₀)/σ).
 *
 * <p>As in diffusers: the first steps use the orders their history allows; with {@code lowerOrderFinal} and
 * fewer than 15 steps the last step is first order and the one before at most second. diffusers' DEIS always
 * ends at σ_min; a plan that ends at σ = 0 gets a first-order last step, which returns α'·x̂₀. A step with h =
 * 0 (the repeated last σ of a Karras plan) returns x unchanged and leaves the history as it is.
 *
 * @param order {@code solver_order}, 1 … 3
 * @param lowerOrderFinal {@code lower_order_final}
 * @param clipping applied to x̂₀ before ε̂ is derived (diffusers {@code thresholding})
 */
public record Deis(int order, boolean lowerOrderFinal, X0Clipping clipping) implements Sampler {

    public Deis {
        Check.inRange(order, 1, 3, "solver_order");
        Check.notNull(clipping, "clipping");
    }

    /** diffusers' defaults with the given order: {@code lower_order_final}, no thresholding. */
    public Deis(int order) {
        this(order, true, X0Clipping.NONE);
    }

    /** The same solver with {@code lower_order_final} set. */
    public Deis withLowerOrderFinal(boolean on) {
        return new Deis(order, on, clipping);
    }

    /** The same solver with x̂₀ clipping or thresholding. */
    public Deis withClipping(X0Clipping c) {
        return new Deis(order, lowerOrderFinal, c);
    }

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel from = ctx.from();
        NoiseLevel to = ctx.to();
        Estimate e = ctx.denoiser().denoise(x, from, ctx.cond());
        NDArray x0 = clipping.apply(e.x0());
        NDArray eps = ClippedEstimate.eps(x, x0, e, from);
        History next = order > 1 ? history.push(eps, from, order - 1) : history;
        if (to.isClean()) {
            return new Stepped(x0.mul(to.alpha()), x0, History.EMPTY);
        }
        if (Math.abs(to.lambda() - from.lambda()) < DpmSolverPlusPlus.SAME_LEVEL) {
            return new Stepped(x, x0, history);
        }
        int k = stepOrder(ctx, history);
        double[] c = coefficients(k, from, to, history);
        double a = to.alpha();
        NDArray out = switch (k) {
            case 1 -> Weighted.sum(new double[] {a / from.alpha(), a * c[0]}, x, eps);
            case 2 -> Weighted.sum(new double[] {a / from.alpha(), a * c[0], a * c[1]}, x, eps, history.get(0).value());
            default -> Weighted.sum(new double[] {a / from.alpha(), a * c[0], a * c[1], a * c[2]}, x, eps, history.get(0).value(),
                    history.get(1).value());
        };
        return new Stepped(out, x0, next);
    }

    /** The order this step uses: warm-up from the history, then diffusers' final-step rules (N &lt; 15). */
    int stepOrder(StepContext ctx, History history) {
        int k = Math.min(order, history.size() + 1);
        int n = ctx.steps();
        boolean shortPlan = lowerOrderFinal && n < 15;
        if (ctx.index() == n - 1 && shortPlan) {
            return 1;
        }
        if (ctx.index() == n - 2 && shortPlan) {
            return Math.min(k, 2);
        }
        return k;
    }

    /** cⱼ = ∫_{ρ_s}^{ρ_t} Lⱼ(ln ρ) dρ for the current ε̂ and the k − 1 newest remembered ones. */
    static double[] coefficients(int k, NoiseLevel from, NoiseLevel to, History history) {
        double t = to.veSigma();
        double s0 = from.veSigma();
        if (k == 1) {
            return new double[] {t - s0};
        }
        double s1 = history.get(0).level().veSigma();
        if (k == 2) {
            return new double[] {linear(t, s0, s1) - linear(s0, s0, s1), linear(t, s1, s0) - linear(s0, s1, s0)};
        }
        double s2 = history.get(1).level().veSigma();
        return new double[] {
            quadratic(t, s0, s1, s2) - quadratic(s0, s0, s1, s2),
            quadratic(t, s1, s2, s0) - quadratic(s0, s1, s2, s0),
            quadratic(t, s2, s0, s1) - quadratic(s0, s2, s0, s1)};
    }

    /** An antiderivative in ρ of the linear Lagrange basis (ln ρ − ln c)/(ln b − ln c) (diffusers' order-2 {@code ind_fn}). */
    private static double linear(double rho, double b, double c) {
        return rho * (Math.log(rho) - Math.log(c) - 1) / (Math.log(b) - Math.log(c));
    }

    /**
     * An antiderivative in ρ of the quadratic Lagrange basis (u − ln c)(u − ln d)/((ln b − ln c)(ln b − ln d)),
     * u = ln ρ (diffusers' order-3 {@code ind_fn}).
     */
    private static double quadratic(double rho, double b, double c, double d) {
        double u = Math.log(rho);
        double lc = Math.log(c);
        double ld = Math.log(d);
        double lb = Math.log(b);
        return rho * (lc * (ld - u + 1) - ld * u + ld + u * u - 2 * u + 2) / ((lb - lc) * (lb - ld));
    }
}
