package io.diffusion4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.io.AnimatedGif;
import io.diffusion4j.io.ImageGrid;
import io.diffusion4j.sampler.SamplerObserver;
import io.diffusion4j.train.TrainedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Generates a grid of images (and optionally a GIF of the denoising trajectory). */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate a PNG grid of images from the bundled Fashion-MNIST model or a checkpoint.")
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--class", paramLabel = "CLASS",
            description = "Class of every image: an index or a name (t-shirt, trouser, pullover, dress, coat, sandal, shirt, "
                    + "sneaker, bag, ankle-boot). Default: classes cycle 0, 1, …, one column each.")
    String classOption;

    @Option(names = "--count", defaultValue = "20", description = "Images, 1..1000. Default: ${DEFAULT-VALUE}.")
    int count;

    @Option(names = "--out", defaultValue = "generated.png", paramLabel = "FILE", description = "Output PNG. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--gif", paramLabel = "FILE", description = "Also write the denoising trajectory (x̂₀ after each step) as an animated GIF.")
    Path gif;

    @Option(names = "--force", description = "Overwrite existing output files.")
    boolean force;

    @Mixin
    Console console;

    @Override
    public Integer call() throws Exception {
        SamplerChoice choice = sampling.validate(console.err());
        if (count < 1 || count > 1000) {
            throw new Errors.UsageException("--count must be in 1..1000, got " + count);
        }
        OutputFile png = OutputFile.check(out, force, "--out");
        OutputFile gifFile = gif == null ? null : OutputFile.check(gif, force, "--gif");
        SamplingOptions.Request request = sampling.request(choice, model, count, classOption);
        int columns = classOption == null && request.classes() > 0 && count >= request.classes() ? request.classes() : Math.min(count, 8);
        int batch = Math.min(count, Generation.DEFAULT_BATCH);
        // the trajectory of every batch, step by step (x̂₀ in [-1, 1]); one GIF frame per step shows all images
        List<List<float[]>> trajectory = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(); TrainedModel m = model.load(manager)) {
            ProgressBar bar = new ProgressBar(console.err(), "generate", sampling.steps * ((count + batch - 1) / batch));
            SamplerObserver observer = (i, n, x, x0) -> {
                bar.advance(1);
                if (gifFile != null) {
                    while (trajectory.size() <= i) {
                        trajectory.add(new ArrayList<>());
                    }
                    trajectory.get(i).add(x0.clip(-1, 1).toFloatArray());
                }
            };
            List<float[]> parts = new ArrayList<>();
            request.generation().run(m, request.labels(), batch, manager, observer, (first, images, l) -> parts.add(images.toFloatArray()));
            bar.finish();
            Shape shape = new Shape(count).addAll(m.imageShape());
            NDArray all = manager.create(concat(parts), shape);
            png.write(tmp -> ImageGrid.write(tmp, all, columns, 2));
            if (gifFile != null) {
                List<BufferedImage> frames = new ArrayList<>();
                for (List<float[]> step : trajectory) {
                    try (NDArray frame = manager.create(concat(step), shape)) {
                        frames.add(ImageGrid.render(frame, columns, 2));
                    }
                }
                frames.add(ImageGrid.render(all, columns, 2));
                gifFile.write(tmp -> AnimatedGif.write(tmp, frames, 120, 1500));
            }
            console.out().printf("wrote %s (%d images, %s, %d steps, guidance %s, seed %d, %s)%n", png.path(), count,
                    choice.label(), sampling.steps, request.generation().guidanceLabel(), sampling.seed, model.describe());
        }
        return 0;
    }

    /** The batches' values one after another. */
    private static float[] concat(List<float[]> parts) {
        float[] all = new float[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
