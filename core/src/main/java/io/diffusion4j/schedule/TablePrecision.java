package io.diffusion4j.schedule;

/** Arithmetic of a discrete schedule's β and ᾱ tables. */
public enum TablePrecision {
    /**
     * As diffusers (torch) builds them: β in float32, α = 1 − β in float32, ᾱ accumulated in double
     * and each element stored as float32. Use it to reproduce diffusers' numbers.
     */
    FLOAT32,
    /** Everything in float64: the mathematically cleanest table. */
    FLOAT64
}
