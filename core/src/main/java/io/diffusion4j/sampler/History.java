package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.schedule.NoiseLevel;

import java.util.ArrayList;
import java.util.List;

/**
 * What a multistep sampler remembers between steps, as an immutable value passed from step to step
 * (never hidden in mutable sampler fields). Entries are newest first. The {@link SamplingLoop} keeps
 * the arrays of the current history alive and closes those that drop out.
 *
 * @param entries past values, newest first
 */
public record History(List<Past> entries) {
    /** No past. */
    public static final History EMPTY = new History(List.of());

    /**
     * One remembered value: an array (x̂₀, ε̂ or a derivative, as the sampler decides) and the level
     * where it was computed.
     */
    public record Past(NDArray value, NoiseLevel level) {}

    public History {
        entries = List.copyOf(entries);
    }

    /** Whether nothing is remembered. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Number of entries. */
    public int size() {
        return entries.size();
    }

    /** The k-th newest entry (0 = newest). */
    public Past get(int k) {
        return entries.get(k);
    }

    /** A history with {@code value} at {@code level} added in front, keeping at most {@code keep} entries. */
    public History push(NDArray value, NoiseLevel level, int keep) {
        List<Past> next = new ArrayList<>(keep);
        next.add(new Past(value, level));
        for (int i = 0; i < entries.size() && next.size() < keep; i++) {
            next.add(entries.get(i));
        }
        return new History(next);
    }
}
