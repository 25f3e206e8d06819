package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.NoiseSchedule;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

/**
 * Strategic stochastic sampling of trajectory-consistency distillation (Zheng et al. 2024, "Trajectory
 * Consistency Distillation", §4.4, Alg. 4). A step from t to t' first moves deterministically, with DDIM's
 * update, to the earlier time s = (1 − γ)·t' (rounded down to a timestep on a discrete table):
 * x_s = α_s·x̂₀ + σ_s·ε̂; then, unless γ = 0 or this is the last step, it noises forward from s back to t':
 * x' = (α'/α_s)·x_s + √(σ'² − (α'/α_s)²·σ_s²)·z. γ = 0 is deterministic DDIM along the plan (first order);
 * γ = 1 jumps to the schedule's smallest time (t = 0 of the table, as in diffusers) and re-noises from there,
 * as multistep consistency sampling does.
 *
 * <p>Corresponds to diffusers' {@code TCDScheduler.step(model_output, timestep, sample, eta=γ)} (whose default
 * γ is 0.3); its plan (LCM's skipping schedule, each step going to the next timestep and the last one to
 * timestep 0, not to the clean sample: diffusers' TCD ends at the noise level of t = 0) is built by {@link
 * io.diffusion4j.diffusers.ConsistencySchedulers}. diffusers' TCD neither clips nor thresholds x̂₀, whatever
 * its config says, and neither does this step. Any plan works: on a {@link DiscreteVp} s is
 * ⌊(1 − γ)·t'⌋, on other schedules (1 − γ)·t' clamped to the schedule's smallest time; a step to a clean
 * level moves to the clean sample.
 *
 * @param gamma γ ∈ [0, 1] (diffusers' {@code eta}; "gamma" in the paper)
 */
public record Tcd(double gamma) implements Sampler {
    public Tcd {
        Check.inRange(gamma, 0.0, 1.0, "gamma");
    }

    /** diffusers' default {@code eta} = 0.3. */
    public Tcd() {
        this(0.3);
    }

    @Override
    public Stepped step(StepContext ctx, NDArray x, History history) {
        Estimate e = ctx.denoiser().denoise(x, ctx.from(), ctx.cond());
        NoiseLevel to = ctx.to();
        NoiseLevel s = intermediate(ctx.plan().schedule(), to);
        NDArray xs = e.x0().mul(s.alpha()).add(e.eps().mul(s.sigma()));
        if (s == to || ctx.isLast()) {
            return new Stepped(xs, e.x0(), history);
        }
        double ratio = to.alpha() / s.alpha();
        double std = Math.sqrt(Math.max(to.sigma() * to.sigma() - ratio * ratio * s.sigma() * s.sigma(), 0));
        return new Stepped(Ancestral.addNoise(xs.mul(ratio), std, ctx.noise(), 0), e.x0(), history);
    }

    /** The level s = (1 − γ)·t' the deterministic part moves to (the target itself when γ = 0 or the target is clean). */
    NoiseLevel intermediate(NoiseSchedule schedule, NoiseLevel to) {
        if (gamma == 0 || to.isClean()) {
            return to;
        }
        double ts = (1 - gamma) * to.t();
        if (schedule instanceof DiscreteVp) {
            ts = Math.floor(ts);
        }
        return schedule.level(Math.max(ts, schedule.tMin()));
    }

    /** The intermediate level needs α &gt; 0 for the forward re-noising; every target must be a level of the plan's schedule or clean. */
    @Override
    public void checkPlan(Plan plan) {
        for (int i = 0; i < plan.steps(); i++) {
            NoiseLevel s = intermediate(plan.schedule(), plan.target(i));
            if (!(s.alpha() > 0)) {
                throw new IllegalArgumentException("tcd needs alpha > 0 at the intermediate level of step " + i + ", got " + s);
            }
        }
    }
}
