package io.diffusion4j.schedule;

import io.diffusion4j.util.Check;

import java.util.ArrayList;
import java.util.List;

/**
 * An immutable sampling plan: step i evaluates the denoiser at {@code point(i)} and moves the sample
 * to {@code target(i)}. In a chained plan target(i) = point(i+1); diffusers' DDIM/DDPM step to
 * t − T div N, which need not be the next point, so targets are explicit.
 *
 * <p>Samples are in the schedule's native scaling x = α·x₀ + σ·ε. The initial sample is
 * {@code initNoiseScale}·ε (diffusers' {@code init_noise_sigma} expressed in that scaling).
 *
 * <p>A plan has a direction. A forward plan (sampling) never adds noise: σ(target(i)) ≤ σ(point(i)).
 * An {@linkplain #inverse() inverse} plan (DDIM inversion and its relatives: data → noise, the
 * probability-flow ODE integrated backwards) never removes noise: σ(target(i)) ≥ σ(point(i)). Equal
 * levels are allowed either way. Only samplers that declare {@link
 * io.diffusion4j.sampler.Sampler#invertible()} follow an inverse plan.
 *
 * @param schedule the process the levels belong to (samplers that evaluate between levels, such as
 *     Heun-type midpoints, get their extra levels from it with {@link NoiseSchedule#atVeSigma})
 * @param points the levels at which the denoiser is evaluated, in order (most noisy first in a forward plan)
 * @param targets the level each step ends at; the last is the end of the trajectory
 * @param initNoiseScale factor of the standard-normal initial noise (unused by an inverse plan, which
 *     starts from the sample to invert)
 * @param inverse whether the plan runs from data toward noise
 */
public record Plan(NoiseSchedule schedule, List<NoiseLevel> points, List<NoiseLevel> targets, double initNoiseScale,
                   boolean inverse) {
    public Plan {
        Check.notNull(schedule, "schedule");
        points = List.copyOf(points);
        targets = List.copyOf(targets);
        Check.positive(initNoiseScale, "initNoiseScale");
        if (points.isEmpty() || points.size() != targets.size()) {
            throw new IllegalArgumentException("a plan needs one target per point and at least one step, got "
                    + points.size() + " points and " + targets.size() + " targets");
        }
        for (int i = 0; i < points.size(); i++) {
            double from = points.get(i).sigma();
            double to = targets.get(i).sigma();
            if (!inverse && to > from * (1 + 1e-12)) {
                throw new IllegalArgumentException("step " + i + " would add noise: sigma " + from + " -> " + to
                        + "; a forward plan goes toward the data (use an inverse plan to add noise)");
            }
            if (inverse && to < from * (1 - 1e-12)) {
                throw new IllegalArgumentException("step " + i + " would remove noise: sigma " + from + " -> " + to
                        + "; an inverse plan goes from the data toward noise");
            }
        }
    }

    /** A forward plan (toward the data). */
    public Plan(NoiseSchedule schedule, List<NoiseLevel> points, List<NoiseLevel> targets, double initNoiseScale) {
        this(schedule, points, targets, initNoiseScale, false);
    }

    /** A chained forward plan through {@code levels} (N+1 levels → N steps), most noisy first. */
    public static Plan chain(NoiseSchedule schedule, List<NoiseLevel> levels, double initNoiseScale) {
        checkChain(levels);
        return new Plan(schedule, levels.subList(0, levels.size() - 1), levels.subList(1, levels.size()), initNoiseScale);
    }

    /**
     * An inverse plan (from the data toward noise): step i evaluates at {@code points.get(i)} and ends at
     * {@code targets.get(i)}, each no less noisy than its point.
     */
    public static Plan inverse(NoiseSchedule schedule, List<NoiseLevel> points, List<NoiseLevel> targets) {
        return new Plan(schedule, points, targets, 1.0, true);
    }

    /** A chained inverse plan through {@code levels} (N+1 levels → N steps), least noisy first. */
    public static Plan chainInverse(NoiseSchedule schedule, List<NoiseLevel> levels) {
        checkChain(levels);
        return inverse(schedule, levels.subList(0, levels.size() - 1), levels.subList(1, levels.size()));
    }

    private static void checkChain(List<NoiseLevel> levels) {
        if (levels.size() < 2) {
            throw new IllegalArgumentException("a chained plan needs at least 2 levels, got " + levels.size());
        }
    }

    /** Number of steps N. */
    public int steps() {
        return points.size();
    }

    /** The level evaluated at step i. */
    public NoiseLevel point(int i) {
        return points.get(i);
    }

    /** The level step i ends at. */
    public NoiseLevel target(int i) {
        return targets.get(i);
    }

    /** The end of the trajectory. */
    public NoiseLevel end() {
        return targets.get(targets.size() - 1);
    }

    /** Whether target(i) = point(i+1) for every step. */
    public boolean isChained() {
        for (int i = 0; i + 1 < points.size(); i++) {
            if (!targets.get(i).equals(points.get(i + 1))) {
                return false;
            }
        }
        return true;
    }

    /** The schedule times of the points (diffusers' {@code timesteps}). */
    public double[] timesteps() {
        return points.stream().mapToDouble(NoiseLevel::t).toArray();
    }

    /** All levels of a chained plan: points then the end. */
    public List<NoiseLevel> levels() {
        List<NoiseLevel> all = new ArrayList<>(points);
        all.add(end());
        return all;
    }
}
