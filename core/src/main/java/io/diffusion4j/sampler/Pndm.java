package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

import java.util.ArrayList;
import java.util.List;

/**
 * Pseudo numerical methods for diffusion models (Liu, Ren, Lin &amp; Zhao 2022, "Pseudo Numerical Methods
 * for Diffusion Models on Manifolds", PNDM): a classical multistep or Runge–Kutta combination of network
 * outputs, each moved with the DDIM transfer φ(x, ε̂, a → b) = (α_b/α_a)·x + (σ_b − α_b·σ_a/α_a)·ε̂
 * (their eq. 9, which is exact when ε̂ is constant).
 * <ul>
 *   <li>With {@code rungeKutta} (F-PNDM, Alg. 2; diffusers' default {@code skip_prk_steps = false}) the
 *   first three steps are pseudo Runge–Kutta steps of four calls: e₁ at a; x₁ = φ(x, e₁, a → a − δ/2);
 *   e₂ at the half level; x₂ = φ(x, e₂, a → half); e₃ there; x₃ = φ(x, e₃, a → b); e₄ at b; then
 *   x' = φ(x, (e₁ + 2e₂ + 2e₃ + e₄)/6, a → b). The half step δ/2 is half the step in schedule time,
 *   rounded down on integer timesteps of a discrete table as diffusers does (T div N div 2), so for an odd
 *   T div N the first stage ends one timestep above the level where e₂ and e₃ are evaluated, also as in
 *   diffusers. Such plans need at least four steps.</li>
 *   <li>Without it ({@code skip_prk_steps = true}, the PLMS of Stable Diffusion's first releases) the
 *   first step is a pseudo improved-Euler step of two calls, (e(a) + e(b))/2.</li>
 *   <li>Every other step is pseudo linear multistep (PLMS, eq. 12): Adams–Bashforth with the equal-step
 *   weights of the outputs at the step's level and the previous ones, of order 1 … 4 as far as the
 *   history reaches: e₀, (3e₀ − e₁)/2, (23e₀ − 16e₁ + 5e₂)/12, (55e₀ − 59e₁ + 37e₂ − 9e₃)/24.</li>
 * </ul>
 * Only the output at each step's own level is remembered (diffusers' {@code ets}).
 *
 * <p>diffusers combines raw model outputs and converts the combination to ε̂ at the step's start
 * (a, x): for a v-prediction model the combinations are of v = α·ε̂ − σ·x̂₀ and ε̂ = α_a·v + σ_a·x, which is
 * not the combination of the ε̂ (it is only for ε models). {@code combined} chooses what is combined, so
 * that {@code PNDMScheduler} with either {@code prediction_type} is reproduced.
 *
 * <p>Corresponds to diffusers' {@code PNDMScheduler} ({@code skip_prk_steps}, {@code set_alpha_to_one}
 * and {@code steps_offset} belong to the plan, {@link io.diffusion4j.schedule.Plans#ddim}); its timestep
 * list repeats entries during the warm-up (900, 850, 850, 800, 800, 750, …) because one of our steps
 * calls the denoiser at {@link #evaluationLevels} a, half, half, b.
 *
 * @param rungeKutta the pseudo Runge–Kutta warm-up (true) or the pseudo improved-Euler first step
 * @param combined {@link Prediction#EPSILON} or {@link Prediction#V}: what the linear combinations are of
 */
public record Pndm(boolean rungeKutta, Prediction combined) implements Sampler {
    /** Steps of pseudo Runge–Kutta warm-up: enough history for the fourth-order PLMS. */
    static final int WARM_UP = 3;
    private static final double[][] ADAMS_BASHFORTH = {
        {1}, {1.5, -0.5}, {23 / 12.0, -16 / 12.0, 5 / 12.0}, {55 / 24.0, -59 / 24.0, 37 / 24.0, -9 / 24.0}};

    public Pndm {
        Check.notNull(combined, "combined");
        if (combined != Prediction.EPSILON && combined != Prediction.V) {
            throw new IllegalArgumentException("PNDM combines epsilon or v outputs, got " + combined);
        }
    }

    /** F-PNDM on ε: diffusers' {@code PNDMScheduler} defaults. */
    public Pndm() {
        this(true, Prediction.EPSILON);
    }

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        NoiseLevel a = ctx.from();
        NoiseLevel b = ctx.to();
        Estimate e = ctx.denoiser().denoise(x, a, ctx.cond());
        NDArray r = raw(e, a);
        History next = history.push(r, a, WARM_UP);
        NDArray out;
        if (rungeKutta && ctx.index() < WARM_UP) {
            NoiseLevel[] half = halfLevels(ctx.plan(), a, b);
            NDArray x1 = transfer(x, eps(r, x, a), a, half[0]);
            NDArray r2 = raw(ctx.denoiser().denoise(x1, half[1], ctx.cond()), half[1]);
            NDArray x2 = transfer(x, eps(r2, x, a), a, half[1]);
            NDArray r3 = raw(ctx.denoiser().denoise(x2, half[1], ctx.cond()), half[1]);
            NDArray x3 = transfer(x, eps(r3, x, a), a, b);
            NDArray r4 = raw(ctx.denoiser().denoise(x3, b, ctx.cond()), b);
            NDArray mean = r.div(6).add(r2.div(3)).add(r3.div(3)).add(r4.div(6));
            out = transfer(x, eps(mean, x, a), a, b);
        } else if (!rungeKutta && ctx.index() == 0 && !b.isClean()) {
            NDArray x1 = transfer(x, eps(r, x, a), a, b);
            NDArray r2 = raw(ctx.denoiser().denoise(x1, b, ctx.cond()), b);
            out = transfer(x, eps(r.add(r2).div(2), x, a), a, b);
        } else {
            out = transfer(x, eps(adamsBashforth(r, history), x, a), a, b);
        }
        return new Stepped(out, e.x0(), next);
    }

    /**
     * The equal-step Adams–Bashforth combination of {@code current} and the newest history values, of
     * order min(history + 1, 4) (PNDM eq. 12; shared with {@link Ipndm}).
     */
    static NDArray adamsBashforth(NDArray current, History history) {
        double[] w = ADAMS_BASHFORTH[Math.min(history.size(), 3)];
        if (w.length == 1) {
            return current;
        }
        NDArray sum = current.mul(w[0]);
        for (int j = 1; j < w.length; j++) {
            sum = sum.add(history.get(j - 1).value().mul(w[j]));
        }
        return sum;
    }

    /** The DDIM transfer φ (PNDM eq. 9): x at {@code a} with noise estimate {@code eps}, moved to {@code b}. */
    static NDArray transfer(NDArray x, NDArray eps, NoiseLevel a, NoiseLevel b) {
        return x.mul(b.alpha() / a.alpha()).add(eps.mul(b.sigma() - b.alpha() * a.sigma() / a.alpha()));
    }

    /** The output in the combined form: ε̂, or v = α·ε̂ − σ·x̂₀. */
    private NDArray raw(Estimate e, NoiseLevel level) {
        return combined == Prediction.EPSILON ? e.eps() : e.eps().mul(level.alpha()).sub(e.x0().mul(level.sigma()));
    }

    /** ε̂ of a combination, converted at the step's start (a, x) as diffusers does: v → α·v + σ·x. */
    private NDArray eps(NDArray mix, NDArray x, NoiseLevel a) {
        return combined == Prediction.EPSILON ? mix : mix.mul(a.alpha()).add(x.mul(a.sigma()));
    }

    /**
     * The two half levels of a Runge–Kutta step from a to b: where the first stage ends (t_a − δ/2) and
     * where the middle stages are evaluated (t_b + δ/2), δ/2 = (t_a − t_b)/2, rounded down when both times
     * are timesteps of a discrete table (diffusers' T div N div 2).
     */
    static NoiseLevel[] halfLevels(Plan plan, NoiseLevel a, NoiseLevel b) {
        double half = (a.t() - b.t()) / 2;
        if (plan.schedule() instanceof DiscreteVp && a.t() == Math.rint(a.t()) && b.t() == Math.rint(b.t())) {
            half = Math.floor(half);
        }
        return new NoiseLevel[] {plan.schedule().level(a.t() - half), plan.schedule().level(b.t() + half)};
    }

    @Override
    public int evaluations(Plan plan) {
        int n = 0;
        for (int i = 0; i < plan.steps(); i++) {
            n += evaluationLevels(plan, i).size();
        }
        return n;
    }

    /** a, half, half, b on a Runge–Kutta step; a, b on the improved-Euler first step; a otherwise. */
    @Override
    public List<NoiseLevel> evaluationLevels(Plan plan, int i) {
        NoiseLevel a = plan.point(i);
        NoiseLevel b = plan.target(i);
        List<NoiseLevel> levels = new ArrayList<>(List.of(a));
        if (rungeKutta && i < WARM_UP) {
            NoiseLevel half = halfLevels(plan, a, b)[1];
            levels.addAll(List.of(half, half, b));
        } else if (!rungeKutta && i == 0 && !b.isClean()) {
            levels.add(b);
        }
        return levels;
    }

    @Override
    public void checkPlan(Plan plan) {
        if (rungeKutta && plan.steps() <= WARM_UP) {
            throw new IllegalArgumentException("PNDM's Runge-Kutta warm-up takes " + WARM_UP + " steps and needs a plan of at least "
                    + (WARM_UP + 1) + " steps, got " + plan.steps() + "; use more steps or skip_prk_steps");
        }
        for (int i = 0; i < plan.steps(); i++) {
            if (!(plan.point(i).alpha() > 0)) {
                throw new IllegalArgumentException("pndm needs alpha > 0 at every step's level, but step " + i + " has alpha = "
                        + plan.point(i).alpha());
            }
        }
    }
}
