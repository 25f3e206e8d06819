package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.util.Check;

import java.util.ArrayList;
import java.util.List;

/**
 * Singlestep DPM-Solver (Lu et al. 2022, "DPM-Solver", arXiv:2206.00927, Alg. 1/2) and DPM-Solver++ (Lu et
 * al. 2022, arXiv:2211.01095, Alg. 1 "DPM-Solver++(2S)" and its third-order analogue), as diffusers'
 * {@code DPMSolverSinglestepScheduler} runs them: the plan's levels are cut into groups of k = 1, 2 or 3
 * consecutive steps (diffusers' {@code order_list}: 1, 2, 3, 1, 2, 3, …); a group starts at x_g on level
 * s_g, and its j-th step evaluates the model at the current sample and jumps from x_g, with the group's
 * estimates so far, to the next level: a first-order step, then a second-order update over two intervals
 * with the first as intermediate point, then (order 3) a third-order update over three.
 *
 * <p>Each step here is one diffusers {@code step} call, one evaluation at {@code point(i)}; the history is
 * [x_g, m_{i−1}, …, m_g] (the group's start and its estimates, newest first), so the timesteps are diffusers'
 * and a run may start anywhere. With h = λ_t − λ_{s_g}, rⱼ = (λ_{sⱼ} − λ_{s_g})/h and D's as in diffusers'
 * {@code singlestep_dpm_solver_second/third_order_update}:
 * <pre>
 *   DPM-Solver++ (m = x̂₀): x_t = (σ_t/σ_g)·x_g − α_t(e^{−h} − 1)·D₀ + …     DPM-Solver (m = ε̂): (α_t/α_g)·x_g − σ_t(e^{h} − 1)·D₀ + …
 *   order 2: D₀ = m_g, D₁ = (m₀ − m_g)/r₀; midpoint: ½·(first coefficient)·D₁; heun: the φ₂ coefficient·D₁
 *   order 3: D₁ from (m₀ − m_g)/r₀ and (m₁ − m_g)/r₁; midpoint uses D₁₁ = (m₀ − m_g)/r₀ alone; heun adds D₂
 * </pre>
 * folded into one weight per array (double on the host).
 *
 * <p>As in diffusers' {@code set_timesteps}: without {@code lowerOrderFinal} the group pattern needs N to be
 * a multiple of the order, otherwise (or when the plan ends at σ = 0) {@code lower_order_final} is switched
 * on; the last step to σ = 0 is first order (it returns α'·x̂₀ exactly); a run that starts inside a group
 * (image-to-image) lowers the order to the estimates it has (diffusers' {@code model_outputs[-order] is None}).
 * Not the same: diffusers writes the switched {@code lower_order_final} into its config, so it stays on for
 * later {@code set_timesteps} calls; here each plan decides. The ε̂ form with {@code clipping} thresholds
 * x̂₀ = (x − σ·ε̂)/α at the step's level (diffusers uses the table at the rounded timestep, which differs
 * with Karras σ).
 *
 * @param order {@code solver_order}, 1 … 3
 * @param dataPrediction {@code algorithm_type}: "dpmsolver++" (true, x̂₀ form) or "dpmsolver" (ε̂ form)
 * @param solverType {@code solver_type}
 * @param lowerOrderFinal {@code lower_order_final} (diffusers' default for this class: false)
 * @param clipping applied to x̂₀ (diffusers {@code thresholding})
 */
public record DpmSolverSinglestep(int order, boolean dataPrediction, DpmSolverPlusPlus.SolverType solverType, boolean lowerOrderFinal,
                                  X0Clipping clipping) implements Sampler {

    public DpmSolverSinglestep {
        Check.inRange(order, 1, 3, "solver_order");
        Check.notNull(solverType, "solver_type");
        Check.notNull(clipping, "clipping");
    }

    /** diffusers' defaults with the given order: DPM-Solver++, midpoint, no {@code lower_order_final}, no clipping. */
    public DpmSolverSinglestep(int order) {
        this(order, true, DpmSolverPlusPlus.SolverType.MIDPOINT, false, X0Clipping.NONE);
    }

    /** The same solver with {@code solver_type} set. */
    public DpmSolverSinglestep withSolverType(DpmSolverPlusPlus.SolverType type) {
        return new DpmSolverSinglestep(order, dataPrediction, type, lowerOrderFinal, clipping);
    }

    /** The same solver with {@code lower_order_final} set. */
    public DpmSolverSinglestep withLowerOrderFinal(boolean on) {
        return new DpmSolverSinglestep(order, dataPrediction, solverType, on, clipping);
    }

    /** The same solver in the DPM-Solver++ (true) or DPM-Solver ε̂ form. */
    public DpmSolverSinglestep withDataPrediction(boolean on) {
        return new DpmSolverSinglestep(order, on, solverType, lowerOrderFinal, clipping);
    }

    /** The same solver with x̂₀ clipping or thresholding. */
    public DpmSolverSinglestep withClipping(X0Clipping c) {
        return new DpmSolverSinglestep(order, dataPrediction, solverType, lowerOrderFinal, c);
    }

    /**
     * diffusers' {@code get_order_list(N)} after {@code set_timesteps}: the order of each of N steps, for a plan
     * that ends at σ = 0 ({@code endsClean}) or not.
     */
    public int[] orders(int steps, boolean endsClean) {
        boolean lower = lowerOrderFinal || steps % order != 0 || endsClean;
        int[] out = new int[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = i % order + 1;
        }
        if (lower && order > 1) {
            // the last (rest) steps: one group of rest steps, or for a whole last group 1, 2, 1 (order 3) / 1, 1 (order 2)
            int rest = steps % order == 0 ? order : steps % order;
            int head = steps - rest;
            int tail = order == 3 && rest == 3 ? 2 : order == 2 && rest == 2 ? 1 : rest;
            for (int i = head; i < steps; i++) {
                out[i] = (i - head) % tail + 1;
            }
        }
        if (endsClean) {
            out[steps - 1] = 1;
        }
        return out;
    }

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel from = ctx.from();
        NoiseLevel to = ctx.to();
        Estimate e = ctx.denoiser().denoise(x, from, ctx.cond());
        NDArray x0 = clipping.apply(e.x0());
        NDArray m = dataPrediction ? x0 : ClippedEstimate.eps(x, x0, e, from);
        int past = history.isEmpty() ? 0 : history.size() - 1;
        int k = Math.min(orders(ctx.steps(), ctx.plan().end().isClean())[ctx.index()], past + 1);
        if (to.isClean() && k == 1) {
            NDArray out = dataPrediction ? m.mul(to.alpha()) : x.sub(m.mul(from.sigma())).mul(to.alpha() / from.alpha());
            return new Stepped(out, x0, History.EMPTY);
        }
        if (k == 1) {
            NDArray out = Weighted.sum(weights(from, to, 1, 0, 0), x, m);
            return new Stepped(out, x0, new History(List.of(new History.Past(x.duplicate(), from), new History.Past(m, from))));
        }
        NoiseLevel start = history.get(0).level();
        double h = to.lambda() - start.lambda();
        double r0 = (from.lambda() - start.lambda()) / h;
        double r1 = k == 3 ? (history.get(1).level().lambda() - start.lambda()) / h : 0;
        double[] w = weights(start, to, k, r0, r1);
        NDArray out = k == 2 ? Weighted.sum(w, history.get(0).value(), m, history.get(1).value())
                : Weighted.sum(w, history.get(0).value(), m, history.get(1).value(), history.get(2).value());
        List<History.Past> next = new ArrayList<>(history.entries());
        next.add(1, new History.Past(m, from));
        return new Stepped(out, x0, new History(next));
    }

    /**
     * The weights of (x_g, m₀, m₁[, m₂]) — m₀ the current estimate, the last the group's first — of the order-k
     * update from level g to t, with r₀ (current level) and r₁ (order 3: the middle level).
     */
    double[] weights(NoiseLevel g, NoiseLevel t, int k, double r0, double r1) {
        double h = t.lambda() - g.lambda();
        double e = dataPrediction ? Math.expm1(-h) : Math.expm1(h);
        double wx = dataPrediction ? t.sigma() / g.sigma() : t.alpha() / g.alpha();
        double base = dataPrediction ? -t.alpha() * e : -t.sigma() * e;                  // weight of D₀
        if (k == 1) {
            return new double[] {wx, base};
        }
        double c1 = dataPrediction ? t.alpha() * (e / h + 1) : -t.sigma() * (e / h - 1);  // φ₂ coefficient of D₁
        boolean midpoint = solverType == DpmSolverPlusPlus.SolverType.MIDPOINT;
        if (k == 2) {
            double d = midpoint ? 0.5 * base : c1;
            return new double[] {wx, d / r0, base - d / r0};
        }
        if (midpoint) {
            return new double[] {wx, c1 / r0, 0, base - c1 / r0};
        }
        double c2 = dataPrediction ? -t.alpha() * ((e + h) / (h * h) - 0.5) : -t.sigma() * ((e - h) / (h * h) - 0.5);  // of D₂
        double a = (c1 * r0 - 2 * c2) / (r0 - r1);    // weight of D₁₀ = (m₁ − m_g)/r₁
        double b = (2 * c2 - c1 * r1) / (r0 - r1);    // weight of D₁₁ = (m₀ − m_g)/r₀
        return new double[] {wx, b / r0, a / r1, base - a / r1 - b / r0};
    }
}
