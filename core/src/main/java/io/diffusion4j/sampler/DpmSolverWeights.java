package io.diffusion4j.sampler;

import io.diffusion4j.schedule.NoiseLevel;

/**
 * The DPM-Solver++ multistep update of {@link DpmSolverPlusPlus} written as one weighted sum,
 * x' = w₀·x + w₁·m₀ + w₂·m₁ + w₃·m₂, with the weights in double (so only one tensor operation per
 * array). Expanding D₁ and D₂ of Lu et al. 2022 (and diffusers' {@code
 * multistep_dpm_solver_*_order_update}) in m₀, m₁, m₂ gives the weights below.
 */
final class DpmSolverWeights {
    private DpmSolverWeights() {}

    /**
     * @param order 1 … 3; history must hold at least order − 1 entries (m₁, m₂ newest first)
     * @param solver the solver type and third-order form
     * @param from the level of x and m₀ (λ_s0)
     * @param to the target level (λ_t, finite)
     * @return {w₀, w₁, …, w_order}
     */
    static double[] of(int order, DpmSolverPlusPlus solver, NoiseLevel from, NoiseLevel to, History history) {
        double lambda0 = from.lambda();
        double h = to.lambda() - lambda0;
        double em1 = Math.expm1(-h);                 // e^{-h} − 1, exact for small h
        double scale = to.sigma() / from.sigma();    // = (α'/α)·e^{-h}
        double base = -to.alpha() * em1;             // weight of m₀ in the first-order update
        if (order == 1) {
            return new double[] {scale, base};
        }
        double r0 = (lambda0 - history.get(0).level().lambda()) / h;
        double c1 = em1 / h + 1;                     // ((e^{-h} − 1)/h + 1), coefficient of D₁ (heun, order 3)
        if (order == 2) {
            double d1 = to.alpha() * (solver.solverType() == DpmSolverPlusPlus.SolverType.MIDPOINT ? -0.5 * em1 : c1) / r0;
            return new double[] {scale, base + d1, -d1};
        }
        double r1 = (history.get(0).level().lambda() - history.get(1).level().lambda()) / h;
        double c2 = -((em1 + h) / (h * h) - 0.5);    // −φ₃, coefficient of D₂ in diffusers
        if (solver.thirdOrder() == DpmSolverPlusPlus.ThirdOrder.TAYLOR) {
            c2 *= 2;                                 // D₂ ≈ h²·x̂₀''/2, the Taylor term needs h²·x̂₀''
        }
        double p = (c1 * (1 + r0 / (r0 + r1)) + c2 / (r0 + r1)) / r0;   // weight of (m₀ − m₁)
        double q = (c1 * r0 + c2) / (r0 + r1) / r1;                       // weight of −(m₁ − m₂)
        double a = to.alpha();
        return new double[] {scale, base + a * p, -a * (p + q), a * q};
    }
}
