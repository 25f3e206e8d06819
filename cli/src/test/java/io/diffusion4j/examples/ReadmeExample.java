package io.diffusion4j.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.diffusion4j.guidance.ClassifierFreeGuidance;
import io.diffusion4j.io.ImageGrid;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.sampler.Sampling;
import io.diffusion4j.sampler.SamplingLoop;
import io.diffusion4j.train.TrainedModel;

import java.nio.file.Path;

/** The README's library example, compiled and run by the build (ReadmeExampleTest). */
public final class ReadmeExample {
    private ReadmeExample() {}

    /** Samples four images of classes 0..3 from a trained model and writes them as a PNG. */
    public static void run(Path modelDir, Path png) throws Exception {
        // README-BEGIN
        try (NDManager m = NDManager.newBaseManager();
             TrainedModel model = TrainedModel.load(modelDir, m)) {   // a checkpoint, run or model folder
            Denoiser guided = new ClassifierFreeGuidance(model.denoiser(new ParameterStore(m, false)), 3.0, model.numClasses());
            Sampling.Choice c = Sampling.method("dpm++2m").choose(model.schedule(), 20);
            NDArray labels = m.create(new long[] {0, 1, 2, 3});
            NDArray images = new SamplingLoop(c.sampler(), guided, c.plan())
                    .sample(m, model.imageShape(), Conditioning.labels(labels), new NoiseSource(42), NoiseSource.range(0, 4));
            ImageGrid.write(png, images.clip(-1, 1), 4, 2);
        }
        // README-END
    }
}
