package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

/**
 * Multistep DPM-Solver++ with data prediction (Lu et al. 2022, arXiv:2211.01095, Alg. 2 and its
 * third-order extension): an exponential integrator of the probability-flow ODE in the half log-SNR
 * λ = ln α − ln σ, which uses the x̂₀ of up to two previous steps. With h = λ' − λ and x̂₀ values
 * m₀, m₁, m₂ at λ, λ₁, λ₂ (r₀ = (λ − λ₁)/h, r₁ = (λ₁ − λ₂)/h):
 * <pre>
 *   order 1:  x' = (σ'/σ)·x − α'·(e^{−h} − 1)·m₀                                 (= DDIM)
 *   order 2:  D₁ = (m₀ − m₁)/r₀;  midpoint: x' = order-1 term − ½·α'·(e^{−h} − 1)·D₁
 *                                 heun:     x' = order-1 term + α'·((e^{−h} − 1)/h + 1)·D₁
 *   order 3:  D₁₀ = (m₀ − m₁)/r₀, D₁₁ = (m₁ − m₂)/r₁, D₁ = D₁₀ + r₀/(r₀ + r₁)·(D₁₀ − D₁₁),
 *             D₂ = (D₁₀ − D₁₁)/(r₀ + r₁),
 *             x' = order-1 term + α'·((e^{−h} − 1)/h + 1)·D₁ − α'·((e^{−h} − 1 + h)/h² − ½)·D₂
 * </pre>
 * These are folded into one weight per array, computed in double on the host ({@link DpmSolverWeights}).
 *
 * <p><b>The third-order update is only second order as diffusers writes it.</b> D₂ ≈ h²·x̂₀''/2, but the
 * Taylor term it stands for is −α'·φ₃·h²·x̂₀'' (φ₃ = (e^{−h} − 1 + h)/h² − ½): the D₂ term carries half
 * its weight, which leaves an O(h³) local error. diffusers, k-diffusion ({@code sample_dpmpp_3m_sde})
 * and the DPM-Solver reference code all do this; measured on Gaussian data it fits order 2, not 3.
 * {@link ThirdOrder#DIFFUSERS} (the default) keeps it for identical trajectories; {@link
 * ThirdOrder#TAYLOR} uses 2·D₂ and is third order.
 *
 * <p>Corresponds to diffusers' {@code DPMSolverMultistepScheduler} with {@code algorithm_type =
 * "dpmsolver++"}: {@code solver_order}, {@code solver_type}, {@code lower_order_final}, {@code
 * euler_at_final}, {@code thresholding} (as {@code clipping}); {@code final_sigmas_type} and {@code
 * use_karras_sigmas} belong to the plan ({@link io.diffusion4j.schedule.Plans#dpmSolver}). As in diffusers,
 * the first steps use the orders their history allows (1, then 2); the last step is first order with
 * {@code eulerAtFinal}, with {@code lowerOrderFinal} and fewer than 15 steps (and the step before it at
 * most second order), and whenever it ends at σ' = 0, where it returns x̂₀ exactly (the higher-order
 * terms diverge as h → ∞). A step with h = 0 (a Karras plan whose {@code sigma_min} end repeats the last
 * σ) returns x unchanged and leaves the history as it is.
 *
 * <p>The same updates with h &lt; 0 integrate the ODE toward more noise: the sampler is {@linkplain
 * #invertible() invertible} and follows inverse plans ({@link io.diffusion4j.schedule.Plans#dpmSolverInverse},
 * diffusers' {@code DPMSolverMultistepInverseScheduler}, whose step is this one with the same order rules).
 *
 * @param order {@code solver_order}, 1 … 3 (2 = "DPM++ 2M", 3 = "DPM++ 3M")
 * @param solverType {@code solver_type} of the second-order update (the third-order update has one form)
 * @param lowerOrderFinal {@code lower_order_final}: lower orders on the last two steps of plans with &lt; 15 steps
 * @param eulerAtFinal {@code euler_at_final}: the last step is first order
 * @param clipping what to do to x̂₀ before it is used and remembered (diffusers {@code thresholding})
 * @param thirdOrder the weight of D₂ in the order-3 update (see above)
 */
public record DpmSolverPlusPlus(int order, SolverType solverType, boolean lowerOrderFinal, boolean eulerAtFinal,
                                X0Clipping clipping, ThirdOrder thirdOrder) implements Sampler {

    /** diffusers' {@code solver_type}: how the second-order update uses D₁. */
    public enum SolverType {
        /** The midpoint form of DPM-Solver++(2M), Lu et al. 2022 Alg. 2 (diffusers' default). */
        MIDPOINT,
        /** The form derived from Heun's method (Lu et al. 2022, the "2S"-style coefficient). */
        HEUN
    }

    /** The weight of the second difference D₂ in the order-3 update. */
    public enum ThirdOrder {
        /** −α'·φ₃·D₂, as diffusers' {@code multistep_dpm_solver_third_order_update}: globally second order. */
        DIFFUSERS,
        /** −2·α'·φ₃·D₂, the Taylor-consistent weight: globally third order; not what diffusers computes. */
        TAYLOR
    }

    /** |h| below this is a repeated level: the step is a no-op, never a division by ~0 (also for {@link Deis}, {@link UniPc}). */
    static final double SAME_LEVEL = 1e-9;

    public DpmSolverPlusPlus {
        Check.inRange(order, 1, 3, "solver_order");
        Check.notNull(solverType, "solver_type");
        Check.notNull(clipping, "clipping");
        Check.notNull(thirdOrder, "thirdOrder");
    }

    /** diffusers' defaults with the given order: midpoint, {@code lower_order_final}, no clipping. */
    public DpmSolverPlusPlus(int order) {
        this(order, SolverType.MIDPOINT, true, false, X0Clipping.NONE, ThirdOrder.DIFFUSERS);
    }

    /** diffusers' defaults: DPM-Solver++(2M), midpoint, {@code lower_order_final}, no clipping. */
    public DpmSolverPlusPlus() {
        this(2);
    }

    /** The same solver with {@code lower_order_final} set. */
    public DpmSolverPlusPlus withLowerOrderFinal(boolean on) {
        return new DpmSolverPlusPlus(order, solverType, on, eulerAtFinal, clipping, thirdOrder);
    }

    /** The same solver with {@code solver_type} set. */
    public DpmSolverPlusPlus withSolverType(SolverType type) {
        return new DpmSolverPlusPlus(order, type, lowerOrderFinal, eulerAtFinal, clipping, thirdOrder);
    }

    /** The same solver with x̂₀ clipping or thresholding. */
    public DpmSolverPlusPlus withClipping(X0Clipping c) {
        return new DpmSolverPlusPlus(order, solverType, lowerOrderFinal, eulerAtFinal, c, thirdOrder);
    }

    /** The same solver with {@code euler_at_final} set. */
    public DpmSolverPlusPlus withEulerAtFinal(boolean on) {
        return new DpmSolverPlusPlus(order, solverType, lowerOrderFinal, on, clipping, thirdOrder);
    }

    /** The same solver with the given order-3 weighting. */
    public DpmSolverPlusPlus withThirdOrder(ThirdOrder form) {
        return new DpmSolverPlusPlus(order, solverType, lowerOrderFinal, eulerAtFinal, clipping, form);
    }

    /** True: the multistep update holds for either sign of h. */
    @Override
    public boolean invertible() {
        return true;
    }

    /** An inverse plan must not start at σ = 0, where λ = +∞ and the exponential integrator is undefined. */
    @Override
    public void checkPlan(Plan plan) {
        if (plan.inverse()) {
            for (int i = 0; i < plan.steps(); i++) {
                if (plan.point(i).isClean()) {
                    throw new IllegalArgumentException("DPM-Solver++ cannot invert from sigma = 0 (step " + i
                            + "): start the inverse plan at a noisy level, e.g. the table's first timestep");
                }
            }
        }
    }

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel from = ctx.from();
        NoiseLevel to = ctx.to();
        NDArray m0 = clipping.apply(ctx.denoiser().denoise(x, from, ctx.cond()).x0());
        History next = order > 1 ? history.push(m0, from, order - 1) : history;
        if (to.isClean()) {
            // e^{-h} = σ'/σ = 0 exactly: the step is α'·x̂₀, computed without 0·x or ∞ terms.
            return new Stepped(to.alpha() == 1 ? m0 : m0.mul(to.alpha()), m0, next);
        }
        if (Math.abs(to.lambda() - from.lambda()) < SAME_LEVEL) {
            // Remembering m0 here would put two entries at one λ and make the next r₀ zero.
            return new Stepped(x, m0, history);
        }
        double[] w = DpmSolverWeights.of(stepOrder(ctx, history), this, from, to, history);
        NDArray out = x.mul(w[0]).add(m0.mul(w[1]));
        for (int j = 2; j < w.length; j++) {
            out = out.add(history.get(j - 2).value().mul(w[j]));
        }
        return new Stepped(out, m0, next);
    }

    /** The order this step uses: warm-up from the history, then diffusers' final-step rules. */
    int stepOrder(StepContext ctx, History history) {
        int k = Math.min(order, history.size() + 1);
        int n = ctx.steps();
        boolean shortPlan = lowerOrderFinal && n < 15;
        if (ctx.index() == n - 1 && (eulerAtFinal || shortPlan)) {
            return 1;
        }
        if (ctx.index() == n - 2 && shortPlan) {
            return Math.min(k, 2);
        }
        return k;
    }
}
