package io.diffusion4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.GaussianMixtureDenoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.sampler.SamplingLoop;
import io.diffusion4j.sampler.Sampling;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.NoiseSchedule;
import io.diffusion4j.schedule.RectifiedFlow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Samples the 2-D "8 gaussians" toy distribution with its exact denoiser (no training needed) and
 * plots data beside samples: a quick look at what a sampler does with few steps.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Sample the 2-D 8-gaussians toy with its exact denoiser and write a scatter plot PNG.")
final class DemoCommand implements Callable<Integer> {
    private static final double RADIUS = 2.0;
    private static final double STD = 0.1;

    @Option(names = "--sampler", defaultValue = "dpm++2m-karras", description = "Sampler name: ${COMPLETION-CANDIDATES}; default ${DEFAULT-VALUE}.",
            completionCandidates = Sampling.Names.class)
    String sampler;

    @Option(names = "--steps", defaultValue = "20", description = "Sampling steps, 1..1000; default ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--count", defaultValue = "2000", description = "Points to sample, 1..100000; default ${DEFAULT-VALUE}.")
    int count;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed; default ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--eta", description = "Noise of ddim (default 0) and euler-a (default 1), >= 0.")
    Double eta;

    @Option(names = "--out", defaultValue = "demo.png", description = "Output PNG; default ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--force", description = "Overwrite an existing output file.")
    boolean force;

    @Mixin
    Console console;

    @Override
    public Integer call() throws Exception {
        Sampling.Method method = Sampling.method(sampler);
        if (steps < 1 || steps > 1000) {
            throw new Errors.UsageException("--steps must be in 1..1000, got " + steps);
        }
        if (count < 1 || count > 100_000) {
            throw new Errors.UsageException("--count must be in 1..100000, got " + count);
        }
        double etaValue = eta == null ? method.defaultEta() : eta;
        if (!(etaValue >= 0) || Double.isInfinite(etaValue)) {
            throw new Errors.UsageException("--eta must be a finite number >= 0, got " + eta);
        }
        OutputFile output = OutputFile.check(out, force, "--out");
        NoiseSchedule schedule = method.isFlow() ? new RectifiedFlow() : DiscreteVp.defaults();
        Sampling.Choice choice = method.choose(schedule, steps, etaValue);
        GaussianMixtureDenoiser data = eightGaussians();
        float[] real = realSamples(count, seed);
        float[] generated;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = new SamplingLoop(choice.sampler(), data, choice.plan())
                    .sample(m, new Shape(2), Conditioning.NONE, new NoiseSource(seed), NoiseSource.range(0, count));
            generated = x.toFloatArray();
        }
        output.write(tmp -> ScatterPlot.write(tmp, new String[] {
            "data: 8 gaussians (" + count + " points)",
            method.label() + ", " + steps + " steps, exact denoiser"}, new float[][] {real, generated}, 3.2));
        console.out().println("wrote " + output.path() + " (" + count + " samples, " + method.label() + ", "
                + choice.sampler().evaluations(choice.plan()) + " denoiser evaluations)");
        return 0;
    }

    private static GaussianMixtureDenoiser eightGaussians() {
        double[][] means = new double[8][];
        double[] stds = new double[8];
        double[] weights = new double[8];
        for (int k = 0; k < 8; k++) {
            means[k] = new double[] {RADIUS * Math.cos(Math.PI * k / 4), RADIUS * Math.sin(Math.PI * k / 4)};
            stds[k] = STD;
            weights[k] = 1;
        }
        return new GaussianMixtureDenoiser(means, stds, weights);
    }

    /** Exact draws from the mixture, for the left panel (component from one normal, offsets from two). */
    private static float[] realSamples(int n, long seed) {
        NoiseSource noise = new NoiseSource(seed ^ 0x5EEDL);
        float[] out = new float[2 * n];
        float[] z = new float[4];
        for (int i = 0; i < n; i++) {
            noise.fill(z, 0, 4, i, 0);
            int k = Math.floorMod((int) Math.floor(z[2] * 1e6), 8);
            out[2 * i] = (float) (RADIUS * Math.cos(Math.PI * k / 4) + STD * z[0]);
            out[2 * i + 1] = (float) (RADIUS * Math.sin(Math.PI * k / 4) + STD * z[1]);
        }
        return out;
    }
}
