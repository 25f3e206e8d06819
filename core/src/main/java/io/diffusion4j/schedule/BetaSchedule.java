package io.diffusion4j.schedule;

/**
 * How the β_t of a discrete variance-preserving process are laid out, by diffusers' name
 * ({@code beta_schedule} in {@code scheduler_config.json}).
 */
public enum BetaSchedule {
    /** Ho et al. 2020: β linear from β_start to β_end (diffusers {@code linear}). */
    LINEAR("linear"),
    /** Latent diffusion: √β linear, then squared (diffusers {@code scaled_linear}). */
    SCALED_LINEAR("scaled_linear"),
    /**
     * Nichol &amp; Dhariwal 2021 cosine schedule, ᾱ(t) = cos²((t/T + s)/(1 + s)·π/2), s = 0.008,
     * β clipped at 0.999 (diffusers {@code squaredcos_cap_v2}); β_start and β_end are ignored.
     */
    COSINE("squaredcos_cap_v2"),
    /** GeoDiff's sigmoid: β = sigmoid(linspace(−6, 6, T))·(β_end − β_start) + β_start (diffusers {@code sigmoid}). */
    SIGMOID("sigmoid");

    private final String diffusersName;

    BetaSchedule(String diffusersName) {
        this.diffusersName = diffusersName;
    }

    /** The name diffusers uses for this schedule. */
    public String diffusersName() {
        return diffusersName;
    }

    /** The schedule with diffusers' name {@code name}. */
    public static BetaSchedule fromDiffusersName(String name) {
        for (BetaSchedule b : values()) {
            if (b.diffusersName.equals(name)) {
                return b;
            }
        }
        throw new IllegalArgumentException("beta_schedule must be one of linear, scaled_linear, squaredcos_cap_v2, sigmoid; got " + name);
    }

    /**
     * The T betas in double precision. When {@code float32} is set, the computation and rounding
     * follow diffusers (torch float32 linspace for {@code linear}, {@code scaled_linear},
     * {@code sigmoid}; float64 then float32 storage for the cosine schedule).
     */
    double[] betas(int trainSteps, double betaStart, double betaEnd, boolean float32) {
        int n = trainSteps;
        double[] b = new double[n];
        switch (this) {
            case LINEAR -> {
                double[] lin = linspace(betaStart, betaEnd, n, float32);
                System.arraycopy(lin, 0, b, 0, n);
            }
            case SCALED_LINEAR -> {
                double[] lin = linspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), n, float32);
                for (int i = 0; i < n; i++) {
                    b[i] = float32 ? (float) ((float) lin[i] * (float) lin[i]) : lin[i] * lin[i];
                }
            }
            case COSINE -> {
                for (int i = 0; i < n; i++) {
                    double t1 = (double) i / n;
                    double t2 = (double) (i + 1) / n;
                    double beta = Math.min(1.0 - cosineAlphaBar(t2) / cosineAlphaBar(t1), 0.999);
                    b[i] = float32 ? (float) beta : beta;
                }
            }
            case SIGMOID -> {
                double[] x = linspace(-6, 6, n, float32);
                for (int i = 0; i < n; i++) {
                    if (float32) {
                        float s = (float) (1.0 / (1.0 + Math.exp(-(float) x[i])));
                        b[i] = s * ((float) betaEnd - (float) betaStart) + (float) betaStart;
                        b[i] = (float) b[i];
                    } else {
                        b[i] = 1.0 / (1.0 + Math.exp(-x[i])) * (betaEnd - betaStart) + betaStart;
                    }
                }
            }
            default -> throw new AssertionError(this);
        }
        return b;
    }

    /** Nichol &amp; Dhariwal 2021 eq. 17 with s = 0.008. */
    static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /**
     * linspace(start, end, n). With {@code float32} this is torch's CPU kernel in float: step =
     * (end − start)/(n − 1), the first half start + step·i, the second half end − step·(n − 1 − i).
     */
    static double[] linspace(double start, double end, int n, boolean float32) {
        double[] out = new double[n];
        if (n == 1) {
            out[0] = float32 ? (float) start : start;
            return out;
        }
        if (float32) {
            float s = (float) start;
            float e = (float) end;
            float step = (e - s) / (n - 1);
            int half = n / 2;
            for (int i = 0; i < n; i++) {
                out[i] = i < half ? s + step * i : e - step * (n - 1 - i);
            }
        } else {
            double step = (end - start) / (n - 1);
            for (int i = 0; i < n; i++) {
                out[i] = start + step * i;
            }
            out[n - 1] = end;
        }
        return out;
    }
}
