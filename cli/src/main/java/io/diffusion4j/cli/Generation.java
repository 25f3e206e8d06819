package io.diffusion4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.diffusion4j.guidance.ClassifierFreeGuidance;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.sampler.SamplerObserver;
import io.diffusion4j.sampler.Sampling;
import io.diffusion4j.sampler.SamplingLoop;
import io.diffusion4j.train.TrainedModel;

/**
 * Samples images from a trained model in batches. Image i uses the noise of (seed, i) and the class
 * {@code classes[i]}, so any image comes out the same whatever the batch size or count. x̂₀ is clipped
 * to [−1, 1] inside the samplers that support it (diffusers' {@code clip_sample} default for images)
 * and the final images are clamped to [−1, 1].
 *
 * @param choice the sampler and its plan
 * @param steps sampling steps
 * @param guidance classifier-free guidance scale (diffusers' convention; 1 = none)
 * @param guidanceRescale diffusers' {@code guidance_rescale} φ (0 = off)
 * @param interval the noise levels where guidance applies
 * @param seed noise seed
 */
record Generation(SamplerChoice choice, int steps, double guidance, double guidanceRescale, ClassifierFreeGuidance.Interval interval,
                  long seed) {
    /**
     * Images per network batch unless told otherwise. Bigger is slower on CPU: glibc serves every allocation
     * over 32 MB (its largest mmap threshold) with fresh pages, and the U-Net's first-level activations of a
     * batch of 250 under guidance (500 rows) are 50 MB, so each op page-faults them anew. 250 Fashion-MNIST
     * images, dpm++2m 20 steps, guidance 3, 2 threads: batch 250 74 s (61 s of it system time), 100 25 s,
     * 50 24.5 s, the same bits.
     */
    static final int DEFAULT_BATCH = 50;

    /** The guidance as a summary line shows it: "3.0", or "3.0 in (0.28, 5.42]" with an interval. */
    String guidanceLabel() {
        return guidance + (interval.equals(ClassifierFreeGuidance.Interval.ALWAYS) || guidance <= 1 ? "" : " in " + interval.describe());
    }

    /** Receives each finished batch: images (b, C, H, W) in [−1, 1] and their labels (or null). */
    interface Sink {
        void accept(long first, NDArray images, long[] labels) throws java.io.IOException;
    }

    /**
     * Samples images {@code 0 … classes.length−1}.
     *
     * @param classes class of each image (ignored for unconditional models: pass zeros)
     * @param batch images per network batch
     * @param observer per-step observer of each batch (progress, trajectories), or {@link SamplerObserver#NONE}
     */
    void run(TrainedModel model, long[] classes, int batch, NDManager manager, SamplerObserver observer, Sink sink) throws java.io.IOException {
        Sampling.Choice plan = choice.choose(model, steps);
        Shape image = model.imageShape();
        NoiseSource noise = new NoiseSource(seed);
        for (int first = 0; first < classes.length; first += batch) {
            int b = Math.min(batch, classes.length - first);
            try (NDManager m = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(m, false);
                Denoiser d = model.denoiser(ps);
                Conditioning cond = Conditioning.NONE;
                long[] labels = null;
                if (model.numClasses() > 0) {
                    labels = java.util.Arrays.copyOfRange(classes, first, first + b);
                    cond = Conditioning.labels(m.create(labels));
                    d = new ClassifierFreeGuidance(d, guidance, model.numClasses(), guidanceRescale, model.prediction(), interval);
                }
                NDArray x = new SamplingLoop(plan.sampler(), d, plan.plan()).withObserver(observer)
                        .sample(m, image, cond, noise, NoiseSource.range(first, b));
                sink.accept(first, x.clip(-1, 1), labels);
            }
        }
    }
}
