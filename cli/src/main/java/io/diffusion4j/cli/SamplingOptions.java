package io.diffusion4j.cli;

import io.diffusion4j.sampler.Sampling;
import picocli.CommandLine.Option;

/** The options every sampling command shares: method, steps, guidance, η, seed. */
final class SamplingOptions {
    @Option(names = "--sampler", defaultValue = "dpm++2m", paramLabel = "NAME",
            description = "Sampler: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.", completionCandidates = Sampling.Names.class)
    String sampler;

    @Option(names = "--steps", defaultValue = "20", description = "Sampling steps, 1..1000. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--guidance", defaultValue = "3", paramLabel = "S",
            description = "Classifier-free guidance scale s as in diffusers: 1 = none (one network call), s > 1 pushes towards "
                    + "the class (eps = eps_uncond + s*(eps_cond - eps_uncond)); 0..30. Default: ${DEFAULT-VALUE}.")
    double guidance;

    @Option(names = "--eta", paramLabel = "ETA", description = "Noise of ddim (default 0) and euler-a (default 1), >= 0.")
    Double eta;

    @Option(names = "--seed", defaultValue = "0", description = "Seed; image i always starts from the noise of (seed, i). Default: ${DEFAULT-VALUE}.")
    long seed;

    /** The named method, with every number checked; throws a usage error naming the option. */
    Sampling.Method validate() {
        Sampling.Method method = Sampling.method(sampler);
        if (steps < 1 || steps > 1000) {
            throw new Errors.UsageException("--steps must be in 1..1000, got " + steps);
        }
        if (!(guidance >= 0 && guidance <= 30)) {
            throw new Errors.UsageException("--guidance must be in 0..30, got " + guidance);
        }
        if (eta != null && (!(eta >= 0) || eta.isInfinite())) {
            throw new Errors.UsageException("--eta must be a finite number >= 0, got " + eta);
        }
        if (eta != null && !method.takesEta() && eta != method.defaultEta()) {
            throw new Errors.UsageException("--eta applies to ddim and euler-a only, got --eta " + eta + " with --sampler " + sampler);
        }
        return method;
    }

    /** η for the method. */
    double eta(Sampling.Method method) {
        return eta == null ? method.defaultEta() : eta;
    }
}
