package io.diffusion4j.model;

import ai.djl.ndarray.NDArray;

/**
 * What a denoiser is conditioned on: class labels for now (int64, shape (N,); the value {@code
 * numClasses} is the null label of classifier-free guidance, DESIGN.md).
 *
 * @param labels class labels, or null for an unconditional call
 */
public record Conditioning(NDArray labels) {
    /** No conditioning. */
    public static final Conditioning NONE = new Conditioning(null);

    /** Conditioning on class labels. */
    public static Conditioning labels(NDArray labels) {
        return new Conditioning(labels);
    }

    /** Whether labels are given. */
    public boolean hasLabels() {
        return labels != null;
    }
}
