package io.diffusion4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.diffusion4j.guidance.ClassifierFreeGuidance;
import io.diffusion4j.io.ImageGrid;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.NetworkDenoiser;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.nn.UNet;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.sampler.Ddim;
import io.diffusion4j.sampler.SamplingLoop;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import io.diffusion4j.util.Check;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A class-by-row sample grid (8 rows of free samples for an unconditional network): deterministic DDIM (η = 0, trailing
 * spacing, ᾱ_prev = 1 at the end) with classifier-free guidance, image i of row c drawn from noise
 * (seed, c·perClass + i), so grids of successive checkpoints are directly comparable.
 *
 * @param steps DDIM steps
 * @param guidanceScale diffusers' guidance scale s (1 = none)
 * @param perClass images per row
 * @param seed noise seed
 */
public record SampleGrid(int steps, double guidanceScale, int perClass, long seed) {
    public SampleGrid {
        Check.positive(steps, "sampling steps");
        Check.nonNegative(guidanceScale, "guidance scale");
        Check.positive(perClass, "images per class");
    }

    /**
     * Samples {@code perClass} images of each class with {@code network} and writes the PNG grid.
     *
     * @param imageShape (C, H, W)
     */
    public void write(Path file, UNet network, DiscreteVp vp, Prediction prediction, Shape imageShape, NDManager parent)
            throws IOException {
        int classes = network.config().numClasses();
        int rows = classes == 0 ? 8 : classes;   // an unconditional network gets 8 rows of free samples
        try (NDManager m = parent.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            Denoiser plain = new NetworkDenoiser(network.asNetwork(ps), prediction);
            Denoiser d = classes == 0 ? plain : new ClassifierFreeGuidance(plain, guidanceScale, classes);
            SamplingLoop loop = new SamplingLoop(new Ddim(), d, Plans.ddim(vp, steps, Spacing.TRAILING, 0, true));
            int n = rows * perClass;
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i / perClass;
            }
            Conditioning cond = classes == 0 ? Conditioning.NONE : Conditioning.labels(m.create(labels));
            NDArray x = loop.sample(m, imageShape, cond, new NoiseSource(seed), NoiseSource.range(0, n));
            ImageGrid.write(file, x, perClass, 2);
        }
    }
}
