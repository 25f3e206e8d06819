package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.util.Check;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * UniPC (Zhao et al. 2023, "UniPC: A Unified Predictor-Corrector Framework for Fast Sampling of Diffusion
 * Models", arXiv:2302.04867): a multistep exponential integrator in λ = ln α − ln σ (the predictor UniP,
 * Alg. 2/3 with B(h) of eq. 7) followed by a corrector UniC that reuses the model evaluation at the
 * predicted sample, so it raises the order by one at no extra evaluation.
 *
 * <p>In diffusers ({@code UniPCMultistepScheduler}) the corrector of step i−1 runs at the start of step i,
 * once the model has been evaluated at the predicted sample. Here too: step i evaluates the denoiser at
 * the incoming x (the prediction of step i−1), first corrects that x with the fresh estimate (UniC over
 * the previous interval, from the corrector-free start of step i−1 kept in the history), then predicts
 * from the corrected x (UniP). So each step is a pure function of (x, history, the estimate at x), one
 * evaluation per step; the history holds the corrected start of the previous step and the previous
 * estimates, newest first: [x_{i−1}, m_{i−1}, m_{i−2}, …].
 *
 * <p>With h = λ_t − λ_s, m the model's x̂₀ ({@code predictX0}) or ε̂, hh = −h (x̂₀) or h (ε̂), φ = e^{hh} − 1,
 * B(h) = hh ({@link Variant#BH1}) or φ ({@link Variant#BH2}), rₖ = (λ_{sₖ} − λ_s)/h and Dₖ = (mₖ − m)/rₖ:
 * <pre>
 *   x̂₀ form:  x_t = (σ_t/σ_s)·x − α_t·φ·m − α_t·B(h)·Σₖ ρₖ·Dₖ
 *   ε̂ form:   x_t = (α_t/α_s)·x − σ_t·φ·m − σ_t·B(h)·Σₖ ρₖ·Dₖ
 * </pre>
 * ρ solves the order conditions Σₖ ρₖ·rₖ^{p−1} = p!·hh·φ_{p+1}(hh)/B(h), p = 1 … k, with φ_j(z) = (e^z −
 * Σ_{i&lt;j} z^i/i!)/z^j (Zhao et al. 2023, eq. 8; diffusers' {@code R}, {@code b});
 * the second-order predictor uses ρ = ½ and the first-order corrector ρ = ½, as in the paper and diffusers.
 * The corrector adds the term of the new estimate (r = 1). Weights are computed in double on the host.
 *
 * <p>As in diffusers: the first steps use the orders their history allows; with {@code lowerOrderFinal}
 * step i has order ≤ N − i (the last step is first order, the one before at most second) — unlike
 * DPM-Solver, whatever N; the corrector after step j is skipped when j is in {@code disableCorrector}; the
 * corrector after the last step never runs. Different on purpose: a step to σ = 0 is first order whatever
 * the order and variant (in x̂₀ form it returns α'·m exactly; diffusers gives NaN there for higher orders,
 * {@code bh1} and the ε̂ form). A step with h = 0 (a Karras plan whose {@code sigma_min} end repeats the last
 * σ) returns the corrected x and forgets the history (so no later step divides by a zero λ gap).
 *
 * @param order {@code solver_order}, 1 … 3 (the predictor's order; the corrected result is one higher)
 * @param predictX0 {@code predict_x0}: the x̂₀ (data-prediction, UniPC's recommended) form, else the ε̂ form
 * @param variant {@code solver_type}: B(h) = h ({@code bh1}) or e^{h} − 1 ({@code bh2}, diffusers' default)
 * @param lowerOrderFinal {@code lower_order_final}
 * @param disableCorrector {@code disable_corrector}: step indices whose result is not corrected
 * @param clipping applied to x̂₀ in the x̂₀ form (diffusers {@code thresholding}); the ε̂ form ignores it, as diffusers does
 */
public record UniPc(int order, boolean predictX0, Variant variant, boolean lowerOrderFinal, Set<Integer> disableCorrector,
                    X0Clipping clipping) implements Sampler {

    /** diffusers' {@code solver_type}: the B(h) of Zhao et al. 2023, eq. 7. */
    public enum Variant {
        /** B(h) = hh: recommended by the paper for unconditional sampling. */
        BH1,
        /** B(h) = e^{hh} − 1: recommended for guided sampling; diffusers' default. */
        BH2
    }

    public UniPc {
        Check.inRange(order, 1, 3, "solver_order");
        Check.notNull(variant, "solver_type");
        disableCorrector = Set.copyOf(Check.notNull(disableCorrector, "disable_corrector"));
        Check.notNull(clipping, "clipping");
    }

    /** diffusers' defaults with the given order: x̂₀ form, bh2, {@code lower_order_final}, corrector everywhere. */
    public UniPc(int order) {
        this(order, true, Variant.BH2, true, Set.of(), X0Clipping.NONE);
    }

    /** diffusers' defaults: UniPC-2 (bh2, x̂₀ form). */
    public UniPc() {
        this(2);
    }

    /** The same solver in the x̂₀ ({@code true}) or ε̂ form. */
    public UniPc withPredictX0(boolean on) {
        return new UniPc(order, on, variant, lowerOrderFinal, disableCorrector, clipping);
    }

    /** The same solver with {@code solver_type} set. */
    public UniPc withVariant(Variant v) {
        return new UniPc(order, predictX0, v, lowerOrderFinal, disableCorrector, clipping);
    }

    /** The same solver with {@code lower_order_final} set. */
    public UniPc withLowerOrderFinal(boolean on) {
        return new UniPc(order, predictX0, variant, on, disableCorrector, clipping);
    }

    /** The same solver with the corrector skipped after the given steps. */
    public UniPc withDisabledCorrector(Set<Integer> steps) {
        return new UniPc(order, predictX0, variant, lowerOrderFinal, steps, clipping);
    }

    /** The same solver with x̂₀ clipping or thresholding. */
    public UniPc withClipping(X0Clipping c) {
        return new UniPc(order, predictX0, variant, lowerOrderFinal, disableCorrector, c);
    }

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel from = ctx.from();
        NoiseLevel to = ctx.to();
        Estimate e = ctx.denoiser().denoise(x, from, ctx.cond());
        NDArray x0 = predictX0 ? clipping.apply(e.x0()) : e.x0();
        NDArray m = predictX0 ? x0 : e.eps();
        int past = history.isEmpty() ? 0 : history.size() - 1;
        NDArray start = x;
        if (past > 0 && !disableCorrector.contains(ctx.index() - 1)) {
            start = correct(ctx, history, m, Math.min(cap(ctx.index() - 1, ctx.steps()), past));
        }
        if (to.isClean()) {
            // a new array even when α' = 1: the estimate itself may be closed by whoever supplied it
            NDArray out = predictX0 ? m.mul(to.alpha()) : start.sub(m.mul(from.sigma())).mul(to.alpha() / from.alpha());
            return new Stepped(out, x0, History.EMPTY);   // nothing follows a step to the clean sample
        }
        double h = to.lambda() - from.lambda();
        if (Math.abs(h) < DpmSolverPlusPlus.SAME_LEVEL) {
            return new Stepped(start, x0, History.EMPTY);
        }
        int k = Math.min(cap(ctx.index(), ctx.steps()), past + 1);
        List<NDArray> older = new ArrayList<>();
        double[] r = new double[k - 1];
        for (int j = 1; j < k; j++) {
            older.add(history.get(j).value());
            r[j - 1] = (history.get(j).level().lambda() - from.lambda()) / h;
        }
        double[] rho = k == 1 ? new double[0] : k == 2 ? new double[] {0.5} : Weighted.solve(powers(r, k - 1), orderConditions(h, k - 1));
        return new Stepped(update(from, to, start, m, older, r, rho, null, 0), x0, remember(start, x, m, from, history));
    }

    /** UniC: the prediction x of step i−1 corrected with the estimate {@code mt} at it, with order k. */
    private NDArray correct(StepContext ctx, History history, NDArray mt, int k) {
        NoiseLevel s = history.get(1).level();
        NoiseLevel t = ctx.from();
        double h = t.lambda() - s.lambda();
        double[] r = new double[k - 1];
        List<NDArray> older = new ArrayList<>();
        for (int j = 1; j < k; j++) {
            older.add(history.get(1 + j).value());
            r[j - 1] = (history.get(1 + j).level().lambda() - s.lambda()) / h;
        }
        double[] rho = k == 1 ? new double[] {0.5} : Weighted.solve(powers(append(r, 1.0), k), orderConditions(h, k));
        return update(s, t, history.get(0).value(), history.get(1).value(), older, r, rho, mt, rho[k - 1]);
    }

    /**
     * The common update from x at s to t with the estimate m at s, older estimates with their rₖ and
     * weights ρₖ, and (corrector) the new estimate at t with weight ρ_t.
     */
    private NDArray update(NoiseLevel s, NoiseLevel t, NDArray x, NDArray m, List<NDArray> older, double[] r, double[] rho,
                           NDArray mt, double rhoT) {
        double h = t.lambda() - s.lambda();
        double hh = predictX0 ? -h : h;
        double phi = Math.expm1(hh);
        double c = (predictX0 ? t.alpha() : t.sigma()) * bh(hh);
        int n = 2 + older.size() + (mt == null ? 0 : 1);
        double[] w = new double[n];
        NDArray[] a = new NDArray[n];
        w[0] = predictX0 ? t.sigma() / s.sigma() : t.alpha() / s.alpha();
        a[0] = x;
        w[1] = -(predictX0 ? t.alpha() : t.sigma()) * phi;
        a[1] = m;
        for (int j = 0; j < older.size(); j++) {
            double wj = -c * rho[j] / r[j];          // −c·ρⱼ·(mⱼ − m)/rⱼ
            w[2 + j] = wj;
            a[2 + j] = older.get(j);
            w[1] -= wj;
        }
        if (mt != null) {
            w[n - 1] = -c * rhoT;                    // −c·ρ_t·(m_t − m), r_t = 1
            a[n - 1] = mt;
            w[1] += c * rhoT;
        }
        return Weighted.sum(w, a);
    }

    private double bh(double hh) {
        return variant == Variant.BH1 ? hh : Math.expm1(hh);
    }

    /**
     * The right-hand side of the order conditions, diffusers' {@code b}: bₚ = p!·gₚ/B(h) with gₚ = hh·φ_{p+1}(hh),
     * computed as diffusers does by g₁ = (e^{hh} − 1)/hh − 1, g_{p+1} = gₚ/hh − 1/(p+1)!.
     */
    private double[] orderConditions(double h, int k) {
        double hh = predictX0 ? -h : h;
        double hPhi = Math.expm1(hh) / hh - 1;
        double factorial = 1;
        double[] b = new double[k];
        for (int p = 1; p <= k; p++) {
            b[p - 1] = hPhi * factorial / bh(hh);
            factorial *= p + 1;
            hPhi = hPhi / hh - 1 / factorial;
        }
        return b;
    }

    /** The k×k matrix of rows r^0, r^1, …, r^{k−1} over the first k of {@code r}. */
    private static double[][] powers(double[] r, int k) {
        double[][] m = new double[k][k];
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < k; j++) {
                m[p][j] = Math.pow(r[j], p);
            }
        }
        return m;
    }

    private static double[] append(double[] r, double v) {
        double[] out = java.util.Arrays.copyOf(r, r.length + 1);
        out[r.length] = v;
        return out;
    }

    /** The highest order step i may use: {@code order}, or with {@code lowerOrderFinal} at most N − i. */
    int cap(int index, int steps) {
        return lowerOrderFinal ? Math.min(order, steps - index) : order;
    }

    /**
     * The next history: the (corrected) start of this step, then this estimate and up to order − 1 older ones.
     * An uncorrected start is the caller's x, which is copied: a history owns its arrays.
     */
    private History remember(NDArray start, NDArray x, NDArray m, NoiseLevel level, History history) {
        List<History.Past> next = new ArrayList<>(order + 1);
        next.add(new History.Past(start == x ? x.duplicate() : start, level));
        next.add(new History.Past(m, level));
        for (int j = 1; j < history.size() && next.size() < order + 1; j++) {
            next.add(history.get(j));
        }
        return new History(next);
    }
}
