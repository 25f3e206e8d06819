package io.diffusion4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.google.gson.Gson;
import io.diffusion4j.data.FashionMnist;
import io.diffusion4j.data.LabeledImages;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.model.NetworkDenoiser;
import io.diffusion4j.nn.Params;
import io.diffusion4j.nn.SeedMix;
import io.diffusion4j.nn.UNet;
import io.diffusion4j.nn.UNetConfig;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.train.Checkpoint;
import io.diffusion4j.train.DiffusionObjective;
import io.diffusion4j.train.MainArgs;
import io.diffusion4j.util.Check;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Negative log-likelihood in bits/dim of Fashion-MNIST test images under trained U-Net checkpoints,
 * from the discrete DDPM variational bound ({@link VariationalBound}; Ho et al. 2020 eq. 5) with the
 * EMA weights, the checkpoint's own schedule and prediction type, and the true labels as conditioning.
 * The sum over t is estimated from {@code --t-samples} uniform draws per image batch (the count is part
 * of every result line); the images are the first {@code --n} of the test set. Batch b draws its noise and
 * its timesteps from seeds derived from ({@code --seed}, b), so two checkpoints evaluated with the same
 * settings see identical x_t (common random numbers): their difference is much less noisy than either value.
 *
 * <pre>
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -cp CLASSPATH io.diffusion4j.eval.BitsPerDim
 *      --checkpoint runs/fmnist-unet/step-00000333[,runs/fmnist-unet/step-00003000] [--n 200] [--t-samples 100]
 *      [--batch 50] [--variance small|large] [--seed 0] [--data /usr/share/datasets/fashion-mnist]
 * </pre>
 */
public final class BitsPerDim {
    private static final Gson GSON = new Gson();

    private BitsPerDim() {}

    /**
     * A bound estimate.
     *
     * @param checkpoint the checkpoint directory
     * @param step its training step
     * @param n images
     * @param tSamples draws of t per batch
     * @param bitsPerDim mean bound over the images
     * @param standardError standard error of that mean over the images (t draws are shared within a batch, so
     *     this understates the t-sampling noise)
     * @param batchStandardError standard error over the independent batches (own noise and t draws each):
     *     includes the t-sampling noise; needs at least two batches (else NaN)
     * @param prior mean prior term, bits/dim
     * @param diffusion mean Σ_t term, bits/dim
     * @param decoder mean decoder term, bits/dim
     * @param seconds wall time
     */
    public record Result(String checkpoint, long step, int n, int tSamples, double bitsPerDim, double standardError, double batchStandardError, double prior,
                         double diffusion, double decoder, double seconds) {}

    /** Entry point: one line per checkpoint. */
    public static void main(String[] args) {
        MainArgs.run(args, List.of("checkpoint", "n", "t-samples", "batch", "variance", "seed", "data"), BitsPerDim::run);
    }

    private static void run(MainArgs o) throws IOException {
        List<Path> checkpoints = new ArrayList<>();
        for (String p : o.string("checkpoint", "").split(",")) {
            if (!p.isEmpty()) {
                checkpoints.add(Paths.get(p));
            }
        }
        int n = o.integer("n", 200);
        int tSamples = o.integer("t-samples", 100);
        int batch = o.integer("batch", 50);
        boolean small = switch (o.string("variance", "small")) {
            case "small" -> true;
            case "large" -> false;
            default -> throw new IllegalArgumentException("--variance must be small or large, got " + o.string("variance", ""));
        };
        long seed = o.whole("seed", 0);
        Path data = o.path("data", FashionMnist.DEBIAN_DIR);
        if (checkpoints.isEmpty()) {
            throw new IllegalArgumentException("give --checkpoint DIR[,DIR...]");
        }
        try (NDManager m = NDManager.newBaseManager(); LabeledImages test = FashionMnist.load(m, data, false)) {
            for (Path c : checkpoints) {
                Result r = evaluate(c, test, n, tSamples, batch, small, seed, m);
                System.out.printf(Locale.ROOT, "%s (step %d): %.4f bits/dim, s.e. %.4f over images, %s over %d batches (prior %.5f, "
                        + "sum of posterior KLs %.4f, decoder %.4f) on %d test images, %d t-samples per batch, %s variance, %.0f s%n",
                        r.checkpoint(), r.step(), r.bitsPerDim(), r.standardError(),
                        Double.isNaN(r.batchStandardError()) ? "-" : String.format(Locale.ROOT, "%.4f", r.batchStandardError()),
                        (n + batch - 1) / batch, r.prior(), r.diffusion(), r.decoder(), r.n(), r.tSamples(), small ? "small (posterior)" : "large (beta)",
                        r.seconds());
            }
        }
    }

    /** The bound of one checkpoint's EMA network on the first n images of {@code images}. */
    public static Result evaluate(Path checkpoint, LabeledImages images, int n, int tSamples, int batch, boolean smallVariance, long seed,
                                  NDManager manager) throws IOException {
        Check.inRange(n, 1, (int) images.size(), "n");
        Check.positive(batch, "batch");
        long t0 = System.nanoTime();
        try (NDManager m = manager.newSubManager(); Checkpoint.Loaded c = Checkpoint.read(checkpoint, m)) {
            UNetConfig net = GSON.fromJson(c.state().get("network"), UNetConfig.class);
            DiffusionObjective.Config obj = GSON.fromJson(c.state().get("objective"), DiffusionObjective.Config.class);
            UNet unet = Params.create(new UNet(net), m, 0);
            if (!c.groups().containsKey("ema")) {
                throw new IOException("checkpoint " + checkpoint + " has no ema.safetensors");
            }
            Params.load(unet, c.groups().get("ema"), checkpoint + "/ema.safetensors");
            unet.freezeParameters(true);
            DiscreteVp vp = new DiscreteVp(obj.schedule());
            Denoiser denoiser = scoped(new NetworkDenoiser(unet.asNetwork(new ParameterStore(m, false)), obj.prediction()));
            VariationalBound bound = new VariationalBound(vp, denoiser, smallVariance);
            double[] bpd = new double[n];
            List<Double> batchMeans = new ArrayList<>();
            double[] sums = new double[3];
            double ln2 = Math.log(2);
            for (int start = 0, b = 0; start < n; start += batch, b++) {
                int size = Math.min(batch, n - start);
                long[] idx = NoiseSource.range(start, size);
                try (NDManager sub = m.newSubManager()) {
                    NDArray x0 = images.images(sub, idx);
                    NDArray labels = net.conditional() ? images.labels(sub, idx) : null;
                    VariationalBound.Terms t = bound.evaluate(x0, new Conditioning(labels), tSamples,
                            new NoiseSource(SeedMix.derive(seed, 2L * b)), SeedMix.derive(seed, 2L * b + 1));
                    batchMeans.add(t.meanBitsPerDim());
                    for (int i = 0; i < size; i++) {
                        bpd[start + i] = t.bitsPerDim(i);
                        double scale = t.dims() * ln2 * n;
                        sums[0] += t.prior()[i] / scale;
                        sums[1] += t.diffusion()[i] / scale;
                        sums[2] += t.decoder()[i] / scale;
                    }
                }
            }
            double mean = 0;
            for (double v : bpd) {
                mean += v / n;
            }
            double var = 0;
            for (double v : bpd) {
                var += (v - mean) * (v - mean) / Math.max(1, n - 1);
            }
            return new Result(checkpoint.toString(), c.step(), n, tSamples, mean, Math.sqrt(var / n), standardError(batchMeans), sums[0],
                    sums[1], sums[2],
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Standard error of the mean of equally weighted values (NaN for fewer than two). */
    private static double standardError(List<Double> v) {
        int k = v.size();
        if (k < 2) {
            return Double.NaN;
        }
        double mean = v.stream().mapToDouble(Double::doubleValue).sum() / k;
        double var = v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (k - 1);
        return Math.sqrt(var / k);
    }

    /**
     * The denoiser run in a sub-manager of its input's manager, so a network call's intermediate
     * arrays are freed right after it; only x̂₀ and ε̂ move to the caller's manager.
     */
    static Denoiser scoped(Denoiser inner) {
        return (x, level, cond) -> {
            NDManager parent = x.getManager();
            try (NDManager sub = parent.newSubManager()) {
                NDArray xs = x.duplicate();
                xs.attach(sub);
                Estimate e = inner.denoise(xs, level, cond);
                e.x0().attach(parent);
                e.eps().attach(parent);
                return e;
            }
        };
    }
}
