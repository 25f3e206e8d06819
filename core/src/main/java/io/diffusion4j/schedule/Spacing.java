package io.diffusion4j.schedule;

/**
 * How inference timesteps are picked from T training timesteps (diffusers {@code timestep_spacing};
 * Lin et al. 2023, Table 2). The exact lists depend on the scheduler family: see {@link Timesteps}.
 */
public enum Spacing {
    /** Multiples of T div N counted up from 0, plus {@code steps_offset}; never reaches T−1. */
    LEADING,
    /** Counted down from T−1 in steps of T/N: the first step is at T−1. */
    TRAILING,
    /** Evenly spread over [0, T−1] and rounded (integer families) or kept fractional (Euler, Heun). */
    LINSPACE;

    /** diffusers' spelling. */
    public String diffusersName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The spacing with diffusers' name {@code name}. */
    public static Spacing fromName(String name) {
        for (Spacing s : values()) {
            if (s.diffusersName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("timestep_spacing must be one of leading, trailing, linspace; got " + name);
    }
}
