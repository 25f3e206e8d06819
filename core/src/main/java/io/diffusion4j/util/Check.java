package io.diffusion4j.util;

import java.util.Arrays;

/**
 * Argument checks whose messages name the parameter, the bad value and what is allowed, so that a
 * user reading one line knows what to change.
 */
public final class Check {
    private Check() {}

    /** Returns {@code value} when it is at least 1. */
    public static int positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
        return value;
    }

    /** Returns {@code value} when it is finite and strictly positive. */
    public static double positive(double value, String name) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number > 0, got " + value);
        }
        return value;
    }

    /** Returns {@code value} when it is finite and not negative. */
    public static double nonNegative(double value, String name) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + value);
        }
        return value;
    }

    /** Returns {@code value} when it is not negative. */
    public static int nonNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
        return value;
    }

    /** Returns {@code value} when it is finite. */
    public static double finite(double value, String name) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number, got " + value);
        }
        return value;
    }

    /** Returns {@code value} when {@code lo <= value <= hi}. */
    public static double inRange(double value, double lo, double hi, String name) {
        if (!(value >= lo && value <= hi)) {
            throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "], got " + value);
        }
        return value;
    }

    /** Returns {@code value} when {@code lo <= value <= hi}. */
    public static int inRange(int value, int lo, int hi, String name) {
        if (value < lo || value > hi) {
            throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "], got " + value);
        }
        return value;
    }

    /** Returns {@code value} when it is not null; the message lists the allowed values. */
    public static <T> T oneOf(T value, T[] allowed, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must be one of " + Arrays.toString(allowed) + ", got null");
        }
        return value;
    }

    /** Returns {@code value} when it is not null. */
    public static <T> T notNull(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return value;
    }
}
