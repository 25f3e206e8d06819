package io.diffusion4j.schedule;

import io.diffusion4j.util.Check;

/**
 * diffusers' inference timestep lists, family by family ({@code set_timesteps(N)}). Every list is in
 * decreasing order and in the schedule's unit (timestep index for discrete VP). Rounding is numpy's
 * half-to-even ({@link Math#rint}).
 */
public final class Timesteps {
    private Timesteps() {}

    /**
     * DDIM and DDPM ({@code DDIMScheduler}, {@code DDPMScheduler}): {@code leading} = (0, r, 2r, …)
     * reversed + offset with r = T div N; {@code trailing} = round(arange(T, 0, −T/N)) − 1;
     * {@code linspace} = round(linspace(0, T−1, N)) reversed.
     */
    public static int[] ddim(Spacing spacing, int trainSteps, int steps, int stepsOffset) {
        checkSteps(trainSteps, steps);
        Check.nonNegative(stepsOffset, "steps_offset");
        int[] out = new int[steps];
        switch (spacing) {
            case LEADING -> {
                int ratio = trainSteps / steps;
                for (int i = 0; i < steps; i++) {
                    out[i] = (steps - 1 - i) * ratio + stepsOffset;
                }
            }
            case TRAILING -> out = toInts(trailing(trainSteps, steps));
            case LINSPACE -> {
                for (int i = 0; i < steps; i++) {
                    out[i] = (int) Math.rint(linspace(0, trainSteps - 1, steps, steps - 1 - i));
                }
            }
            default -> throw new AssertionError(spacing);
        }
        checkRange(out, trainSteps, spacing, stepsOffset);
        return out;
    }

    /**
     * DPM-Solver family ({@code DPMSolverMultistepScheduler} and relatives, T = last timestep):
     * {@code linspace} = round(linspace(0, T−1, N+1)) reversed, final 0 dropped; {@code leading} =
     * round(arange(0, N+1)·(T div (N+1))) reversed, last dropped, + offset; {@code trailing} =
     * round(arange(T, 0, −T/N)) − 1.
     */
    public static int[] dpmSolver(Spacing spacing, int trainSteps, int steps, int stepsOffset) {
        checkSteps(trainSteps, steps);
        Check.nonNegative(stepsOffset, "steps_offset");
        int[] out = new int[steps];
        switch (spacing) {
            case LINSPACE -> {
                for (int i = 0; i < steps; i++) {
                    out[i] = (int) Math.rint(linspace(0, trainSteps - 1, steps + 1, steps - i));
                }
            }
            case LEADING -> {
                int ratio = trainSteps / (steps + 1);
                for (int i = 0; i < steps; i++) {
                    out[i] = (steps - i) * ratio + stepsOffset;
                }
            }
            case TRAILING -> out = toInts(trailing(trainSteps, steps));
            default -> throw new AssertionError(spacing);
        }
        checkRange(out, trainSteps, spacing, stepsOffset);
        return out;
    }

    /**
     * Euler, Heun and other k-diffusion-style schedulers ({@code EulerDiscreteScheduler}): {@code
     * linspace} = float32(linspace(0, T−1, N)) reversed (fractional); {@code leading} = round(arange(0,
     * N)·(T div N)) reversed + offset; {@code trailing} = round(arange(T, 0, −T/N)) − 1.
     */
    public static double[] euler(Spacing spacing, int trainSteps, int steps, int stepsOffset) {
        checkSteps(trainSteps, steps);
        Check.nonNegative(stepsOffset, "steps_offset");
        double[] out = new double[steps];
        switch (spacing) {
            case LINSPACE -> {
                for (int i = 0; i < steps; i++) {
                    out[i] = (float) linspace(0, trainSteps - 1, steps, steps - 1 - i);
                }
            }
            case LEADING -> {
                int ratio = trainSteps / steps;
                for (int i = 0; i < steps; i++) {
                    out[i] = (double) (steps - 1 - i) * ratio + stepsOffset;
                }
            }
            case TRAILING -> out = trailing(trainSteps, steps);
            default -> throw new AssertionError(spacing);
        }
        checkRange(out, trainSteps, spacing, stepsOffset);
        return out;
    }

    /** numpy.linspace(start, stop, num)[i] in double: start + i·step, the last element exactly stop. */
    static double linspace(double start, double stop, int num, int i) {
        if (num == 1) {
            return start;
        }
        if (i == num - 1) {
            return stop;
        }
        double step = (stop - start) / (num - 1);
        return start + i * step;
    }

    /**
     * The {@code trailing} list every family shares: round(numpy.arange(T, 0, −T/N)) − 1. numpy's arange
     * computes start + i·((start + step) − start), which rounds differently from T − i·T/N for some N
     * (T = 1000, N = 48: 936, not 937). For a few N (T = 1000: 61, 103, …) numpy returns N + 1 values
     * ending at −1, a diffusers bug; we keep the first N, the list diffusers meant.
     */
    static double[] trailing(int trainSteps, int steps) {
        double step = -(double) trainSteps / steps;
        double delta = (trainSteps + step) - trainSteps;
        double[] out = new double[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = Math.rint(trainSteps + i * delta) - 1;
        }
        return out;
    }

    private static int[] toInts(double[] ts) {
        int[] out = new int[ts.length];
        for (int i = 0; i < ts.length; i++) {
            out[i] = (int) ts[i];
        }
        return out;
    }

    /** Throws unless 1 ≤ steps ≤ T. */
    static void checkSteps(int trainSteps, int steps) {
        Check.positive(steps, "steps");
        if (steps > trainSteps) {
            throw new IllegalArgumentException("steps must be <= num_train_timesteps (" + trainSteps + "), got " + steps);
        }
    }

    private static void checkRange(int[] ts, int trainSteps, Spacing spacing, int offset) {
        checkRange(java.util.Arrays.stream(ts).asDoubleStream().toArray(), trainSteps, spacing, offset);
    }

    private static void checkRange(double[] ts, int trainSteps, Spacing spacing, int offset) {
        for (double t : ts) {
            if (t < 0 || t > trainSteps - 1) {
                throw new IllegalArgumentException(spacing.diffusersName() + " spacing with steps_offset=" + offset
                        + " gives timestep " + t + " outside [0, " + (trainSteps - 1) + "]");
            }
        }
    }
}
