package io.diffusion4j.train;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.data.FashionMnist;
import io.diffusion4j.data.LabeledImages;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.nn.UNetConfig;
import io.diffusion4j.schedule.DiscreteVp;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * Trains the default class-conditional Fashion-MNIST U-Net (ε-prediction, linear β 1e-4…0.02, T = 1000,
 * Min-SNR-5 weights, label dropout {@code --p-uncond}, default 0.1) and resumes automatically from the newest checkpoint in the
 * run directory. Every {@code --checkpoint-minutes} of wall time, on SIGTERM/Ctrl-C and at the end it
 * writes a checkpoint; a DDIM-50, CFG-3 sample grid of the EMA weights ({@code grid-<step>.png}, one row
 * per class) goes with every periodic checkpoint (or only when {@code --grid-minutes} have passed since
 * the last grid) and with the final one.
 *
 * <p>Why linear β and not cosine: it is the default of core's {@link DiscreteVp.Config#DEFAULT} and of
 * diffusers' DDPM/DDIM, so the model drops into every sampler plan unchanged; at 28×28 the drawback
 * that made Nichol &amp; Dhariwal (2021) prefer cosine (the last linear steps are nearly pure noise) is
 * mild, and Min-SNR-5 weights already stop the low-noise steps from dominating the loss.
 *
 * <pre>
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -cp CLASSPATH io.diffusion4j.train.TrainMain \
 *      [--data DIR] [--out runs/fmnist-unet] [--steps 30000] [--batch 128] [--checkpoint-minutes 10]
 *      [--grid-minutes 0] [--keep 3] [--stop-after N] [--log-every 10] [--p-uncond 0.1]
 * </pre>
 */
public final class TrainMain {
    private TrainMain() {}

    /** Entry point; exit code 2 on bad usage, 1 on a run-time failure. */
    public static void main(String[] args) {
        MainArgs.run(args, List.of("data", "out", "steps", "batch", "checkpoint-minutes", "grid-minutes", "keep", "stop-after",
                "log-every", "grid-steps", "guidance", "grid-per-class", "p-uncond"), TrainMain::run);
    }

    private static void run(MainArgs o) throws IOException {
        Path data = o.path("data", FashionMnist.DEBIAN_DIR);
        Path out = o.path("out", Paths.get("runs/fmnist-unet"));
        TrainConfig train = TrainConfig.FASHION_MNIST.withSteps(o.whole("steps", 30_000))
                .withBatchSize(o.integer("batch", 128));
        double ckptMinutes = o.number("checkpoint-minutes", 10);
        double gridMinutes = o.number("grid-minutes", 0);
        int keep = o.integer("keep", 3);
        long stopAfter = o.whole("stop-after", Long.MAX_VALUE);
        int logEvery = o.integer("log-every", 10);
        SampleGrid grid = new SampleGrid(o.integer("grid-steps", 50),
                o.number("guidance", 3), o.integer("grid-per-class", 8), 7);
        UNetConfig net = UNetConfig.FASHION_MNIST;
        DiffusionObjective.Config objective = new DiffusionObjective.Config(DiscreteVp.Config.DEFAULT, Prediction.EPSILON,
                LossWeighting.MIN_SNR, 5.0, o.number("p-uncond", 0.1), net.numClasses());
        ImageTrainingRun run = new ImageTrainingRun(net, objective, train, out, ckptMinutes, gridMinutes, keep, stopAfter, logEvery, grid);
        try (NDManager manager = NDManager.newBaseManager();
             LabeledImages images = FashionMnist.load(manager, data, true)) {
            run.execute(images, data.toString(), manager);
        }
    }
}
