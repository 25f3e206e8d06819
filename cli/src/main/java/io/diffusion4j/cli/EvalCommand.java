package io.diffusion4j.cli;

import io.diffusion4j.data.FashionMnist;
import io.diffusion4j.eval.EvalReport;
import io.diffusion4j.eval.Evaluator;
import io.diffusion4j.eval.SampleImages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Scores generated Fashion-MNIST images with the shipped evaluator ({@link Evaluator}): FD, KID,
 * precision/recall and, with labels, class accuracy, each beside the train-vs-test floor. The inputs are
 * read and checked before the engine loads; the JSON uses the keys of CONTRACT.md.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Score generated Fashion-MNIST images (FD, KID, precision/recall, class accuracy) beside the real-data floor.",
                "SAMPLES is a .npy of shape (N, 1, 28, 28) float32 in [-1, 1], a folder of 28x28 PNGs, or a folder written by "
                        + "'sample' (its samples.npy is read)."})
final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SAMPLES", description = "A .npy file, a folder of PNGs, or a 'sample' output folder.")
    Path samples;

    @Option(names = "--labels", paramLabel = "FILE", description = "Class of each image: int64 .npy of shape (N,); adds class accuracy.")
    Path labels;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON (contract keys; floors under \"reference\").")
    Path json;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST files, needed only above 2,000 images. Default: ${DEFAULT-VALUE}.")
    Path data = FashionMnist.DEBIAN_DIR;

    @Option(names = "--force", description = "Overwrite an existing --json file.")
    boolean force;

    @Mixin
    Console console;

    @Override
    public Integer call() throws Exception {
        OutputFile jsonOut = json == null ? null : OutputFile.check(json, force, "--json");
        Path source = resolveSamples(samples);
        SampleImages images;
        long[] classes = null;
        try {
            images = SampleImages.read(source);
            if (labels != null) {
                classes = SampleImages.readLabels(labels, images.n(), FashionMnist.CLASSES.length);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new Errors.RunFailure(e.getMessage());
        }
        if (images.n() < Evaluator.MIN_IMAGES || images.n() > Evaluator.MAX_IMAGES) {
            throw new Errors.RunFailure(source + " holds " + images.n() + " images; the evaluator scores " + Evaluator.MIN_IMAGES + " to "
                    + Evaluator.MAX_IMAGES);
        }
        PrintWriter out = console.out();
        if (labels == null && Files.isRegularFile(besideLabels(source))) {
            out.println("note: " + besideLabels(source) + " is beside the samples; add --labels " + besideLabels(source)
                    + " to score class accuracy");
        }
        EvalReport report;
        try (Evaluator evaluator = Evaluator.shipped(Evaluator.Settings.DEFAULT.withDataDir(data))) {
            report = evaluator.evaluate(images, classes);
        } catch (IllegalArgumentException e) {
            throw new Errors.RunFailure(e.getMessage());
        }
        out.print(report.table());
        if (jsonOut != null) {
            jsonOut.write(tmp -> Files.writeString(tmp, report.toJson() + "\n", StandardCharsets.UTF_8));
            out.println("wrote " + jsonOut.path());
        }
        return 0;
    }

    /** A folder written by {@code sample --format npy} stands for its samples.npy. */
    private static Path resolveSamples(Path path) {
        if (!Files.exists(path)) {
            throw new Errors.RunFailure("SAMPLES " + path + " does not exist; give a .npy file of shape (N, 1, 28, 28) or a folder of PNGs");
        }
        Path npy = path.resolve(SampleCommand.SAMPLES_FILE);
        return Files.isDirectory(path) && Files.isRegularFile(npy) ? npy : path;
    }

    private static Path besideLabels(Path source) {
        Path dir = Files.isDirectory(source) ? source : source.toAbsolutePath().getParent();
        return dir.resolve(SampleCommand.LABELS_FILE);
    }
}
