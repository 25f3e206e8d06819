package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

/**
 * Linear multistep sampling in k-diffusion's σ view (Karras et al. 2022 use the same ODE; k-diffusion
 * {@code sample_lms}): the probability-flow ODE dx̃/dσ̃ = ε̂ in x̃ = x/α, σ̃ = σ/α is integrated with the
 * Adams–Bashforth idea on a non-uniform grid. The slopes ε̂ at the current and up to {@code order − 1}
 * previous levels are interpolated by a polynomial in σ̃ and the polynomial is integrated over the step:
 * <pre>
 *   x̃' = x̃ + Σ_k c_k·ε̂_{i−k},   c_k = ∫_{σ̃_i}^{σ̃_{i+1}} Π_{j≠k} (τ − σ̃_{i−j})/(σ̃_{i−k} − σ̃_{i−j}) dτ
 * </pre>
 * and x' = α'·x̃'. The coefficients are computed in double by a 4-point Gauss–Legendre rule, which is
 * exact for polynomials of degree ≤ 7 and therefore gives the integrals exactly (up to round-off) for
 * every order offered here (the integrand has degree order − 1 ≤ 7); diffusers integrates the same
 * polynomials numerically ({@code scipy.integrate.quad}, {@code epsrel = 1e-4}).
 *
 * <p>Corresponds to diffusers' {@code LMSDiscreteScheduler} with {@code step(..., order)}: as there, step
 * i uses order min(i + 1, {@code order}) with the plan's levels i, i − 1, … as the interpolation nodes,
 * and the derivatives it remembers. In a run from the plan's start the two agree; a run that starts
 * part-way (diffusers' image-to-image, {@code add_noise} then the tail of the timesteps) has fewer
 * remembered slopes than nodes, and, like diffusers, uses the first coefficients of the full-order basis
 * for the slopes it has. The history is diffusers' list of slopes (each step appends its own and drops
 * the oldest once when the list is longer than the step's order), so steps of different orders may follow
 * one another as diffusers' per-step {@code order} allows. Deterministic; one denoiser call per step;
 * order {@code order} on a plan whose first steps are short, otherwise limited by the lower-order warm-up
 * steps.
 *
 * <p>Plans: {@link io.diffusion4j.schedule.Plans#euler} (diffusers' {@code timestep_spacing} and {@code
 * use_karras_sigmas}), {@code Plans.karras}, or any chained plan with α &gt; 0 at its points.
 *
 * @param order the number of slopes combined, 1 … 8 (diffusers' default 4; 1 is Euler)
 */
public record Lms(int order) implements Sampler {
    /** Largest order: the 4-point Gauss–Legendre rule is exact for integrands of degree ≤ 7. */
    public static final int MAX_ORDER = 8;

    private static final double[] GL_NODES = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526};
    private static final double[] GL_WEIGHTS = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538};

    public Lms {
        Check.inRange(order, 1, MAX_ORDER, "order");
    }

    /** diffusers' and k-diffusion's default, order 4. */
    public Lms() {
        this(4);
    }

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel from = ctx.from();
        NoiseLevel to = ctx.to();
        Estimate e = ctx.denoiser().denoise(x, from, ctx.cond());
        int k = Math.min(ctx.index() + 1, order);
        double[] nodes = new double[k];
        for (int j = 0; j < k; j++) {
            nodes[j] = ctx.plan().point(ctx.index() - j).veSigma();
        }
        double[] c = coefficients(nodes, to.veSigma());
        // x' = α'·(x/α + Σ c_j·ε̂_j) over the slopes it remembers, newest first, as far as the basis reaches;
        // dividing by α and multiplying by α' (not by one rounded ratio) keeps float32 round-off unbiased
        NDArray ve = from.alpha() == 1 ? x : x.div(from.alpha());
        NDArray out = ve.add(e.eps().mul(c[0]));
        int used = Math.min(k, history.size() + 1);
        for (int j = 1; j < used; j++) {
            out = out.add(history.get(j - 1).value().mul(c[j]));
        }
        out = to.alpha() == 1 ? out : out.mul(to.alpha());
        // diffusers' derivative list: append, then drop the oldest once if it is longer than this step's order
        History next = history.push(e.eps(), from, Math.max(order, history.size()));
        return new Stepped(out, e.x0(), next);
    }

    /**
     * The multistep coefficients c_k = ∫ from nodes[0] to {@code to} of the Lagrange basis polynomial of
     * node k over all {@code nodes} (σ̃ values, the current level first), by 4-point Gauss–Legendre
     * quadrature (exact for up to 8 nodes).
     *
     * @param nodes distinct σ̃ values, 1 … {@link #MAX_ORDER} of them; nodes[0] is where the step starts
     * @param to the σ̃ the step ends at
     */
    static double[] coefficients(double[] nodes, double to) {
        Check.inRange(nodes.length, 1, MAX_ORDER, "number of nodes");
        double from = nodes[0];
        double half = (to - from) / 2;
        double mid = (to + from) / 2;
        double[] c = new double[nodes.length];
        for (int k = 0; k < nodes.length; k++) {
            double sum = 0;
            for (int q = 0; q < GL_NODES.length; q++) {
                double tau = mid + half * GL_NODES[q];
                double basis = 1;
                for (int j = 0; j < nodes.length; j++) {
                    if (j != k) {
                        basis *= (tau - nodes[j]) / (nodes[k] - nodes[j]);
                    }
                }
                sum += GL_WEIGHTS[q] * basis;
            }
            c[k] = half * sum;
        }
        return c;
    }

    @Override
    public void checkPlan(Plan plan) {
        VeSteps.requireFiniteVeSigma(plan, "lms");
        if (order > 1 && !plan.isChained()) {
            throw new IllegalArgumentException("lms interpolates slopes at the plan's earlier levels and needs a chained plan "
                    + "(each step ending where the next begins)");
        }
    }
}
