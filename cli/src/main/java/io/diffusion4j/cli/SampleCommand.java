package io.diffusion4j.cli;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.io.ImageGrid;
import io.diffusion4j.io.Npy;
import io.diffusion4j.sampler.Sampling;
import io.diffusion4j.train.TrainedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Many samples for evaluation: {@code DIR/samples.npy} (N, C, H, W) float32 in [−1, 1] and, for
 * conditional models, {@code DIR/labels.npy} int64 (N,); or one PNG per image plus labels.npy. The
 * folder is written under a temporary name and renamed, so a failed run leaves nothing.
 */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Write many samples (.npy or PNGs) for evaluation; classes cycle 0..K-1 unless --class is given.")
final class SampleCommand implements Callable<Integer> {
    /** The images file of {@code --format npy}. */
    static final String SAMPLES_FILE = "samples.npy";
    /** The class labels of a conditional model's samples. */
    static final String LABELS_FILE = "labels.npy";

    enum Format { png, npy }

    @Mixin
    ModelOption model;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--n", defaultValue = "2000", description = "Number of samples, 1..1000000. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = "--format", defaultValue = "npy", description = "Output format: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (must not exist, or use --force).")
    Path out;

    @Option(names = "--class", paramLabel = "CLASS", description = "Class of every sample (index or name); default: cycle 0..K-1.")
    String classOption;

    @Option(names = "--batch", defaultValue = "" + Generation.DEFAULT_BATCH, description = "Images per network batch, 1..4096. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--force", description = "Replace an existing output folder.")
    boolean force;

    @Mixin
    Console console;

    @Override
    public Integer call() throws Exception {
        SamplerChoice choice = sampling.validate(console.err());
        if (n < 1 || n > 1_000_000) {
            throw new Errors.UsageException("--n must be in 1..1000000, got " + n);
        }
        if (batch < 1 || batch > 4096) {
            throw new Errors.UsageException("--batch must be in 1..4096, got " + batch);
        }
        OutputFolder target = OutputFolder.check(out, force, "--out");
        SamplingOptions.Request request = sampling.request(choice, model, n, classOption);
        try (NDManager manager = NDManager.newBaseManager(); TrainedModel m = model.load(manager)) {
            target.write(tmp -> write(tmp, request.generation(), m, request.labels(), request.classes(), manager));
        }
        console.out().printf(Locale.ROOT, "wrote %d samples to %s (%s%s, %s, %d steps, guidance %s, seed %d)%n", n, target.path(),
                format == Format.npy ? SAMPLES_FILE : "PNGs", request.classes() > 0 ? " + " + LABELS_FILE : "", choice.label(),
                sampling.steps, request.generation().guidanceLabel(), sampling.seed);
        return 0;
    }

    /** Samples every image into {@code dir}: one .npy (or PNGs) and the labels of a conditional model. */
    private void write(Path dir, Generation generation, TrainedModel m, long[] labels, int classes, NDManager manager) throws IOException {
        long[] shape = m.imageShape().getShape();
        int per = (int) (shape[0] * shape[1] * shape[2]);
        float[] all = format == Format.npy ? new float[Math.multiplyExact(n, per)] : null;
        ProgressBar bar = new ProgressBar(console.err(), "sample", (long) n);
        generation.run(m, labels, batch, manager, io.diffusion4j.sampler.SamplerObserver.NONE, (first, images, l) -> {
            if (all != null) {
                System.arraycopy(images.toFloatArray(), 0, all, (int) first * per, (int) images.getShape().get(0) * per);
            } else {
                writePngs(dir, first, images);
            }
            bar.advance(images.getShape().get(0));
        });
        bar.finish();
        if (all != null) {
            try (OutputStream o = Files.newOutputStream(dir.resolve(SAMPLES_FILE))) {
                Npy.writeFloat32(o, all, n, shape[0], shape[1], shape[2]);
            }
        }
        if (classes > 0) {
            try (OutputStream o = Files.newOutputStream(dir.resolve(LABELS_FILE))) {
                Npy.writeInt64(o, labels, n);
            }
        }
    }

    private static void writePngs(Path dir, long first, ai.djl.ndarray.NDArray images) throws IOException {
        int b = (int) images.getShape().get(0);
        for (int i = 0; i < b; i++) {
            Path file = dir.resolve(String.format(Locale.ROOT, "%06d.png", first + i));
            if (!ImageIO.write(ImageGrid.render(images.get(i).expandDims(0), 1, 0), "png", file.toFile())) {
                throw new IOException("no PNG writer in this JVM");
            }
        }
    }
}
