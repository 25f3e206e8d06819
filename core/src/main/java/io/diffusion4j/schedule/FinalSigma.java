package io.diffusion4j.schedule;

/** Where a DPM-Solver-style trajectory ends (diffusers {@code final_sigmas_type}). */
public enum FinalSigma {
    /** σ = 0: the clean sample (diffusers' class default). */
    ZERO,
    /** σ of the table's first entry, σ(ᾱ_0) (what diffusers' own scheduler tests set). */
    SIGMA_MIN
}
