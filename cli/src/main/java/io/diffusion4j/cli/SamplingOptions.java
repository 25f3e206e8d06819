package io.diffusion4j.cli;

import io.diffusion4j.diffusers.Scheduler;
import io.diffusion4j.guidance.ClassifierFreeGuidance;
import io.diffusion4j.sampler.Sampling;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options every sampling command shares: sampler (by name or diffusers config), steps, guidance, η, seed. */
final class SamplingOptions {
    /** The sampler when neither --sampler nor --scheduler-config is given. */
    static final String DEFAULT_SAMPLER = "dpm++2m";

    @Option(names = "--sampler", paramLabel = "NAME",
            description = "Sampler: ${COMPLETION-CANDIDATES}. Default: " + DEFAULT_SAMPLER + ". sde and pc need about 100 steps "
                    + "or more (docs/quality.md); fewer draw a warning.", completionCandidates = Sampling.Names.class)
    String sampler;

    @Option(names = "--scheduler-config", paramLabel = "FILE",
            description = "A diffusers scheduler_config.json (\"_class_name\" and its fields) instead of --sampler, e.g. "
                    + "{\"_class_name\": \"DPMSolverMultistepScheduler\", \"use_karras_sigmas\": true}.")
    Path schedulerConfig;

    @Option(names = "--steps", defaultValue = "20", description = "Sampling steps, 1..1000. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--guidance", defaultValue = "3", paramLabel = "S",
            description = "Classifier-free guidance scale s as in diffusers: 1 = none (one network call), s > 1 pushes towards "
                    + "the class (eps = eps_uncond + s*(eps_cond - eps_uncond)); 0..30. Default: ${DEFAULT-VALUE}.")
    double guidance;

    @Option(names = "--guidance-rescale", defaultValue = "0", paramLabel = "PHI",
            description = "diffusers' guidance_rescale (Lin et al. 2023): rescale the guided output towards the conditional one's "
                    + "standard deviation against over-exposure at high guidance; 0..1, 0 = off. Default: ${DEFAULT-VALUE}.")
    double guidanceRescale;

    @Option(names = "--guidance-interval", paramLabel = "LOW,HIGH",
            description = "Guide only where the noise level sigma/alpha is in (LOW, HIGH] (Kynkaanniemi et al. 2024); elsewhere "
                    + "only the conditional branch runs. HIGH may be inf. 0.28,5.42 took the bundled model from FD 8.9x to 4.5x "
                    + "the floor at guidance 3 (docs/quality.md). Default: everywhere, as in diffusers.")
    String guidanceInterval;

    @Option(names = "--eta", paramLabel = "ETA", description = "Noise of ddim (default 0) and euler-a (default 1), >= 0.")
    Double eta;

    @Option(names = "--seed", defaultValue = "0", description = "Seed; image i always starts from the noise of (seed, i). Default: ${DEFAULT-VALUE}.")
    long seed;

    /**
     * The sampler choice with every number checked before anything loads; throws a usage error naming the
     * option (or a run-time failure for an unreadable config file); warnings go to {@code err}.
     */
    SamplerChoice validate(java.io.PrintWriter err) {
        if (steps < 1 || steps > 1000) {
            throw new Errors.UsageException("--steps must be in 1..1000, got " + steps);
        }
        if (!(guidance >= 0 && guidance <= 30)) {
            throw new Errors.UsageException("--guidance must be in 0..30, got " + guidance);
        }
        if (!(guidanceRescale >= 0 && guidanceRescale <= 1)) {
            throw new Errors.UsageException("--guidance-rescale must be in 0..1, got " + guidanceRescale);
        }
        interval();
        if (eta != null && (!(eta >= 0) || eta.isInfinite())) {
            throw new Errors.UsageException("--eta must be a finite number >= 0, got " + eta);
        }
        if (schedulerConfig != null) {
            if (sampler != null) {
                throw new Errors.UsageException("--sampler and --scheduler-config both choose the sampler; give one of them");
            }
            return fromConfig(err);
        }
        Sampling.Method method = Sampling.method(sampler == null ? DEFAULT_SAMPLER : sampler);
        if (eta != null && !method.takesEta() && eta != method.defaultEta()) {
            throw new Errors.UsageException("--eta applies to ddim and euler-a only, got --eta " + eta + " with --sampler " + sampler);
        }
        if (steps < method.fewestStepsForImages()) {
            err.println("warning: --sampler " + method.cliName() + " at " + steps + " steps leaves visible noise; it needs about "
                    + method.fewestStepsForImages() + " steps or more (docs/quality.md)");
        }
        return new SamplerChoice.Named(method, eta == null ? method.defaultEta() : eta);
    }

    /**
     * What a sampling command runs once its own numbers and output path are checked.
     *
     * @param classes the model's class count (0: unconditional)
     * @param labels the class of each image
     * @param generation sampler, steps, guidance (1 for an unconditional model: nothing to guide), seed
     */
    record Request(int classes, long[] labels, Generation generation) {}

    /**
     * Checks the model and the class option against it (still before the engine loads) and fixes what is
     * sampled: {@code count} images, of class {@code classOption} or cycling 0..K−1.
     */
    Request request(SamplerChoice choice, ModelOption model, int count, String classOption) {
        model.validate();
        int classes = model.peekNumClasses();
        long[] labels = ClassNames.labels(count, classes, classOption);
        return new Request(classes, labels, new Generation(choice, steps, classes == 0 ? 1.0 : guidance, guidanceRescale, interval(), seed));
    }

    /** {@code --guidance-interval} as parsed: "LOW,HIGH", HIGH may be "inf". */
    ClassifierFreeGuidance.Interval interval() {
        if (guidanceInterval == null) {
            return ClassifierFreeGuidance.Interval.ALWAYS;
        }
        String[] ends = guidanceInterval.split(",", -1);
        String form = "--guidance-interval must be LOW,HIGH (two numbers, HIGH may be inf), got '" + guidanceInterval + "'";
        if (ends.length != 2) {
            throw new Errors.UsageException(form);
        }
        double low;
        double high;
        try {
            low = Double.parseDouble(ends[0].trim());
            high = ends[1].trim().equalsIgnoreCase("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(ends[1].trim());
        } catch (NumberFormatException e) {
            throw new Errors.UsageException(form);
        }
        try {
            return new ClassifierFreeGuidance.Interval(low, high);
        } catch (IllegalArgumentException e) {
            throw new Errors.UsageException("--guidance-interval " + guidanceInterval + ": " + e.getMessage());
        }
    }

    private SamplerChoice fromConfig(java.io.PrintWriter err) {
        Scheduler scheduler;
        try {
            scheduler = Scheduler.fromFile(schedulerConfig);
        } catch (java.io.IOException e) {
            throw new Errors.RunFailure("--scheduler-config " + schedulerConfig + " cannot be read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new Errors.UsageException("--scheduler-config " + schedulerConfig + ": " + e.getMessage());
        }
        if (eta != null && scheduler.recipe().etaVariant() == null) {
            throw new Errors.UsageException("--eta does not apply to " + scheduler.className() + "; remove it");
        }
        if (!scheduler.unknownFields().isEmpty()) {
            err.println("warning: --scheduler-config " + schedulerConfig + ": fields without effect in this port: "
                    + String.join(", ", scheduler.unknownFields()));
        }
        return new SamplerChoice.FromConfig(scheduler, eta, schedulerConfig.toString());
    }
}
