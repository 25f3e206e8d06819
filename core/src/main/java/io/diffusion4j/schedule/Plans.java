package io.diffusion4j.schedule;

import io.diffusion4j.util.Check;

import java.util.ArrayList;
import java.util.List;

/**
 * Sampling plans with diffusers' semantics, one factory per scheduler family. Each factory names the
 * diffusers scheduler whose {@code set_timesteps} it reproduces.
 */
public final class Plans {
    private Plans() {}

    /**
     * {@code DDIMScheduler} / {@code DDPMScheduler}: timesteps of {@link Timesteps#ddim}; each step goes
     * to t − T div N; below 0 the target is the clean sample when {@code setAlphaToOne} (ᾱ_prev = 1),
     * else ᾱ_0. The initial noise is ε (diffusers' {@code init_noise_sigma} = 1).
     */
    public static Plan ddim(DiscreteVp vp, int steps, Spacing spacing, int stepsOffset, boolean setAlphaToOne) {
        int[] ts = Timesteps.ddim(spacing, vp.trainSteps(), steps, stepsOffset);
        int ratio = vp.trainSteps() / steps;
        List<NoiseLevel> points = new ArrayList<>();
        List<NoiseLevel> targets = new ArrayList<>();
        for (int t : ts) {
            points.add(vp.level(t));
            int prev = t - ratio;
            if (prev >= 0) {
                targets.add(vp.level(prev));
            } else {
                targets.add(setAlphaToOne ? NoiseLevel.clean(-1) : vp.level(0));
            }
        }
        return new Plan(vp, points, targets, 1.0);
    }

    /**
     * {@code DDPMScheduler} after {@code set_timesteps(N)}: the timesteps of {@link Timesteps#ddim}, each
     * step going to the next timestep of the list and the last to the clean sample (diffusers'
     * {@code previous_timestep} with {@code num_inference_steps} set; for {@code leading} spacing the same
     * targets as {@link #ddim}). Initial noise ε.
     */
    public static Plan ddpm(DiscreteVp vp, int steps, Spacing spacing, int stepsOffset) {
        List<NoiseLevel> levels = new ArrayList<>();
        for (int t : Timesteps.ddim(spacing, vp.trainSteps(), steps, stepsOffset)) {
            levels.add(vp.level(t));
        }
        levels.add(NoiseLevel.clean(-1));
        return Plan.chain(vp, levels, 1.0);
    }

    /**
     * {@code DPMSolverMultistepScheduler} (and the other DPM-Solver family classes): timesteps of {@link
     * Timesteps#dpmSolver}, or with {@code karras} the ρ = 7 ramp between the table's σ_min and σ_max
     * with timesteps rounded from log-σ interpolation ({@code use_karras_sigmas}); the final level
     * follows {@code finalSigma}. Initial noise ε.
     */
    public static Plan dpmSolver(DiscreteVp vp, int steps, Spacing spacing, int stepsOffset, FinalSigma finalSigma, boolean karras) {
        Check.notNull(finalSigma, "final_sigmas_type");
        Timesteps.checkSteps(vp.trainSteps(), steps);
        List<NoiseLevel> levels = new ArrayList<>();
        if (karras) {
            for (double s : karrasVeSigmas(vp, steps)) {
                levels.add(fromVeSigma(Math.rint(vp.timeOfVeSigma(s)), s));
            }
        } else {
            for (int t : Timesteps.dpmSolver(spacing, vp.trainSteps(), steps, stepsOffset)) {
                // diffusers' DPM-Solver works from σ_ve: α = 1/√(σ² + 1), σ = σ_ve·α
                levels.add(fromVeSigma(t, vp.veSigma(t)));
            }
        }
        levels.add(finalSigma == FinalSigma.ZERO ? NoiseLevel.clean(0) : vp.level(0));
        return Plan.chain(vp, levels, 1.0);
    }

    /**
     * {@code EulerDiscreteScheduler} / {@code HeunDiscreteScheduler} (k-diffusion σ view): timesteps of
     * {@link Timesteps#euler} (fractional for {@code linspace}), σ_ve interpolated linearly over t, or
     * with {@code karras} the Karras ramp at log-σ-interpolated (unrounded) times; a final σ = 0. As in
     * diffusers, the Karras ramp runs between the σ of the spacing's first and last timesteps (the
     * table's ends only for {@code linspace}). The initial noise scale is diffusers' {@code
     * init_noise_sigma} (σ_max, or √(σ_max² + 1) for {@code leading}, with or without Karras σ) times α at
     * the first level, which converts it to our x = α·x₀ + σ·ε scaling.
     */
    public static Plan euler(DiscreteVp vp, int steps, Spacing spacing, int stepsOffset, boolean karras) {
        List<NoiseLevel> levels = new ArrayList<>();
        double[] ts = Timesteps.euler(spacing, vp.trainSteps(), steps, stepsOffset);
        if (karras) {
            double veMin = vp.veSigma(ts[ts.length - 1]);
            double veMax = vp.veSigma(ts[0]);
            for (double s : KarrasSigmas.ramp(veMin, veMax, 7.0, steps)) {
                levels.add(fromVeSigma(vp.timeOfVeSigma(s), s));
            }
        } else {
            for (double t : ts) {
                levels.add(fromVeSigma(t, vp.veSigma(t)));
            }
        }
        NoiseLevel first = levels.get(0);
        double veMax = first.veSigma();
        double init = spacing == Spacing.LEADING ? Math.sqrt(veMax * veMax + 1) : veMax;
        levels.add(NoiseLevel.clean(0));
        return Plan.chain(vp, levels, init * first.alpha());
    }

    /**
     * {@code FlowMatchEulerDiscreteScheduler}: σ = linspace(σ_max, σ_min, N) with σ_min = shifted(1/T),
     * shifted once more, then σ = 0 appended; t = σ (the scheduler's timesteps are σ·T). Initial noise ε.
     *
     * @param trainSteps diffusers' {@code num_train_timesteps} (1000), which fixes σ_min
     */
    public static Plan flowMatch(RectifiedFlow flow, int steps, int trainSteps) {
        Check.positive(trainSteps, "num_train_timesteps");
        Timesteps.checkSteps(trainSteps, steps);
        double sigmaMax = flow.shifted(1.0);
        double sigmaMin = flow.shifted(1.0 / trainSteps);
        List<NoiseLevel> levels = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            double s = flow.shifted(Timesteps.linspace(sigmaMax, sigmaMin, steps, i));
            levels.add(flow.level(s));
        }
        levels.add(flow.level(0));
        return Plan.chain(flow, levels, 1.0);
    }

    /** EDM (Karras et al. 2022): the ρ-ramp of the schedule then σ = 0; initial noise σ_max·ε. */
    public static Plan karras(KarrasSigmas schedule, int steps) {
        List<NoiseLevel> levels = new ArrayList<>();
        for (double s : schedule.sigmas(steps)) {
            levels.add(new NoiseLevel(s, 1.0, s));
        }
        levels.add(NoiseLevel.clean(0));
        return Plan.chain(schedule, levels, schedule.sigmaMax());
    }

    /**
     * A uniform plan in schedule time from t_max to t_min then to the clean sample, for continuous-time
     * solvers (probability-flow ODE, reverse SDE, predictor–corrector): N + 1 levels at t_max − i·(t_max −
     * t_min)/N, i = 0 … N, ending at t_min. Initial noise √(α² + σ²)·ε at t_max (the marginal scale of
     * unit-variance data).
     */
    public static Plan uniform(NoiseSchedule schedule, int steps, double tMax, double tMin) {
        Check.positive(steps, "steps");
        schedule.checkTime(tMax);
        schedule.checkTime(tMin);
        if (!(tMax > tMin)) {
            throw new IllegalArgumentException("tMax must be > tMin, got tMax=" + tMax + ", tMin=" + tMin);
        }
        List<NoiseLevel> levels = new ArrayList<>();
        for (int i = 0; i <= steps; i++) {
            levels.add(schedule.level(tMax - i * (tMax - tMin) / steps));
        }
        NoiseLevel first = levels.get(0);
        // Unit-variance data at the first level has standard deviation √(α² + σ²).
        return Plan.chain(schedule, levels, Math.hypot(first.alpha(), first.sigma()));
    }

    /**
     * {@code DDIMInverseScheduler} (DDIM inversion, Song et al. 2021 §4.3 / Mokady et al. 2023): the {@link
     * #ddim} timesteps in increasing order ({@code leading} or {@code trailing} only, as in diffusers). Step i
     * evaluates the model at timestep t_i but, as diffusers does, treats the sample as lying at t_i − T div N
     * (ᾱ of that timestep; below 0, ᾱ = 1 with {@code setAlphaToOne}, else ᾱ_0) and moves it to t_i. The
     * point of step i is therefore labelled t_i with α, σ of t_i − T div N, so a network denoiser gets the
     * same timestep and converts its output with the same ᾱ as diffusers. For the few N where numpy's
     * {@code trailing} arange yields N + 1 values (T = 1000: N = 61, 103, …) diffusers' list starts with a
     * bogus −1; we use the N intended timesteps ({@link Timesteps#ddim}).
     */
    public static Plan ddimInverse(DiscreteVp vp, int steps, Spacing spacing, int stepsOffset, boolean setAlphaToOne) {
        Check.notNull(spacing, "timestep_spacing");
        if (spacing == Spacing.LINSPACE) {
            throw new IllegalArgumentException("DDIM inversion supports timestep_spacing leading and trailing, got linspace");
        }
        int[] ts = Timesteps.ddim(spacing, vp.trainSteps(), steps, stepsOffset);
        int ratio = vp.trainSteps() / steps;
        List<NoiseLevel> points = new ArrayList<>();
        List<NoiseLevel> targets = new ArrayList<>();
        for (int i = ts.length - 1; i >= 0; i--) {
            int t = ts[i];
            int from = Math.min(t - ratio, vp.trainSteps() - 1);
            if (from >= 0) {
                points.add(new NoiseLevel(t, vp.alpha(from), vp.sigma(from)));
            } else {
                points.add(setAlphaToOne ? NoiseLevel.clean(t) : new NoiseLevel(t, vp.alpha(0), vp.sigma(0)));
            }
            targets.add(vp.level(t));
        }
        return Plan.inverse(vp, points, targets);
    }

    /**
     * {@code DPMSolverMultistepInverseScheduler}: DPM-Solver's levels in increasing order of noise. The
     * timesteps run up to the noisiest timestep whose λ is ≥ {@code lambdaMinClipped} (T − 1 for −∞):
     * {@code linspace} = round(linspace(0, t_max, N+1)) without the last; {@code leading} = i·((t_max + 1) div
     * (N+1)) + offset, i &lt; N; {@code trailing} = round(arange(t_max + 1, 0, −T/N)) reversed − 1 (as many as
     * that arange gives; a value that rounds below 0 is dropped). The trajectory ends at σ(t_max). With
     * {@code karras}: the ρ = 7 ramp of the whole table from σ_min up to σ_max, timesteps rounded from log-σ
     * interpolation, and the last σ repeated as the end (so the last step has h = 0 and returns its input).
     *
     * <p>When rounding repeats a timestep, diffusers drops the repeat from its timesteps but not from its σ
     * list: the plan then has fewer steps than N, step i keeps the i-th σ (and the next as its target) while
     * the model sees the i-th distinct timestep. We follow that; where diffusers' second-order update then
     * divides by the zero λ-step of the repeated σ (an infinite sample), our solver skips the repeated level.
     */
    public static Plan dpmSolverInverse(DiscreteVp vp, int steps, Spacing spacing, int stepsOffset, boolean karras,
                                        double lambdaMinClipped) {
        Check.notNull(spacing, "timestep_spacing");
        Check.nonNegative(stepsOffset, "steps_offset");
        Timesteps.checkSteps(vp.trainSteps(), steps);
        int last = noisiestTimestep(vp, lambdaMinClipped);
        double[] sigmas;
        int[] ts;
        if (karras) {
            double[] table = vp.veSigmas();
            sigmas = KarrasSigmas.ramp(table[table.length - 1], table[0], 7.0, steps);
            ts = new int[steps];
            for (int i = 0; i < steps; i++) {
                ts[i] = (int) Math.rint(vp.timeOfVeSigma(sigmas[i]));
            }
        } else {
            ts = inverseTimesteps(vp.trainSteps(), last, steps, spacing, stepsOffset);
            sigmas = new double[ts.length];
            for (int i = 0; i < ts.length; i++) {
                sigmas[i] = vp.veSigma(ts[i]);
            }
        }
        int n = ts.length;
        List<NoiseLevel> levels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            levels.add(fromVeSigma(ts[i], sigmas[i]));
        }
        levels.add(karras ? levels.get(n - 1) : fromVeSigma(last, vp.veSigma(last)));
        int[] distinct = java.util.Arrays.stream(ts).distinct().toArray();
        List<NoiseLevel> points = new ArrayList<>();
        for (int i = 0; i < distinct.length; i++) {
            NoiseLevel l = levels.get(i);
            points.add(distinct[i] == l.t() ? l : new NoiseLevel(distinct[i], l.alpha(), l.sigma()));
        }
        return Plan.inverse(vp, points, levels.subList(1, distinct.length + 1));
    }

    /** The increasing timesteps of {@link #dpmSolverInverse} without Karras σ, checked to lie in [0, T−1]. */
    private static int[] inverseTimesteps(int trainSteps, int last, int steps, Spacing spacing, int offset) {
        List<Integer> ts = new ArrayList<>();
        switch (spacing) {
            case LINSPACE -> {
                for (int i = 0; i < steps; i++) {
                    ts.add((int) Math.rint(Timesteps.linspace(0, last, steps + 1, i)));
                }
            }
            case LEADING -> {
                int ratio = (last + 1) / (steps + 1);
                for (int i = 0; i < steps; i++) {
                    ts.add(i * ratio + offset);
                }
            }
            case TRAILING -> {
                // numpy.arange(last + 1, 0, −T/N): ceil(start/|step|) values start + i·((start + step) − start)
                double start = last + 1;
                double step = -(double) trainSteps / steps;
                double delta = (start + step) - start;
                int count = (int) Math.ceil((0 - start) / step);
                for (int i = count - 1; i >= 0; i--) {
                    int t = (int) Math.rint(start + i * delta) - 1;
                    if (t >= 0) {
                        ts.add(t);
                    }
                }
            }
            default -> throw new AssertionError(spacing);
        }
        for (int t : ts) {
            if (t > trainSteps - 1) {
                throw new IllegalArgumentException(spacing.diffusersName() + " spacing with steps_offset=" + offset
                        + " gives timestep " + t + " outside [0, " + (trainSteps - 1) + "]");
            }
        }
        return ts.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * diffusers' {@code noisiest_timestep}: T − 1 minus the number of timesteps whose half log-SNR λ (in
     * float32, as torch computes it) is below {@code lambdaMinClipped}.
     */
    static int noisiestTimestep(DiscreteVp vp, double lambdaMinClipped) {
        if (Double.isNaN(lambdaMinClipped)) {
            throw new IllegalArgumentException("lambda_min_clipped must be a number or -inf, got NaN");
        }
        int below = 0;
        for (double ab : vp.alphaBars()) {
            float alpha = (float) Math.sqrt((float) ab);
            float sigma = (float) Math.sqrt((float) (1.0f - (float) ab));
            float lambda = (float) Math.log(alpha) - (float) Math.log(sigma);
            if (lambda < (float) lambdaMinClipped) {
                below++;
            }
        }
        if (below == vp.trainSteps()) {
            throw new IllegalArgumentException("lambda_min_clipped = " + lambdaMinClipped + " is above every timestep's lambda");
        }
        return vp.trainSteps() - 1 - below;
    }

    /** Karras ramp between the VP table's σ_ve[0] and σ_ve[T−1] (diffusers {@code _convert_to_karras}). */
    static double[] karrasVeSigmas(DiscreteVp vp, int steps) {
        double[] table = vp.veSigmas();
        return KarrasSigmas.ramp(table[0], table[table.length - 1], 7.0, steps);
    }

    /** The VP level whose σ_ve is {@code veSigma}, evaluated at schedule time t. */
    static NoiseLevel fromVeSigma(double t, double veSigma) {
        return NoiseLevel.ofVeSigma(t, veSigma, true);
    }
}
