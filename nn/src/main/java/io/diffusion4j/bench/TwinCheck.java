package io.diffusion4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import io.diffusion4j.io.Npy;
import io.diffusion4j.io.Safetensors;
import io.diffusion4j.nn.Params;
import io.diffusion4j.nn.SeedMix;
import io.diffusion4j.nn.UNet;
import io.diffusion4j.nn.UNetConfig;
import io.diffusion4j.random.NoiseSource;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Checks that the PyTorch twin computes the same function as the Java U-Net: every parameter (the
 * zero-initialised ones too) gets random values, Java's weights, inputs and output go to a temporary
 * directory (safetensors + .npy under the same keys), and {@code unet_torch.py --check} recomputes the
 * output in PyTorch and reports the largest absolute difference.
 */
final class TwinCheck {
    private static final int N = 8;

    private TwinCheck() {}

    /** The twin's {@code twin-check} JSON line ({@code max_abs_diff}, {@code max_abs_output}). */
    static JsonObject run(Path python, UNetConfig net, int threads, Consumer<String> log) {
        Path dir = null;
        try (NDManager manager = NDManager.newBaseManager()) {
            dir = Files.createTempDirectory("diffusion4j-twin-");
            UNet model = Params.create(new UNet(net), manager, 7);
            for (Map.Entry<String, NDArray> e : Params.arrays(model).entrySet()) {
                randomise(e.getValue(), SeedMix.derive(11, e.getKey()));
            }
            Safetensors.write(dir.resolve("model.safetensors"), Params.arrays(model), Map.of());
            NDArray x = new NoiseSource(3).normal(manager, new Shape(net.inChannels(), 28, 28), NoiseSource.range(0, N), 0);
            float[] t = new float[N];
            long[] labels = new long[N];
            for (int i = 0; i < N; i++) {
                t[i] = i * 131 % 1000;
                labels[i] = i % (net.numClasses() + 1);
            }
            NDArray out = model.forward(new ParameterStore(manager, false), x, manager.create(t), manager.create(labels), false);
            write(dir.resolve("x.npy"), x);
            write(dir.resolve("out.npy"), out);
            try (OutputStream o = Files.newOutputStream(dir.resolve("t.npy"))) {
                Npy.writeFloat32(o, t, N);
            }
            try (OutputStream o = Files.newOutputStream(dir.resolve("labels.npy"))) {
                Npy.writeInt64(o, labels, N);
            }
            return TorchTwin.run(python, List.of("--threads", Integer.toString(threads), "--check", dir.toString()), log)
                    .get("twin-check");
        } catch (IOException e) {
            throw new UncheckedIOException("twin check: " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /** U(−b, b) with b = 1/√fan-in for matrices and kernels, b = 1 for vectors (norm scales, biases). */
    private static void randomise(NDArray a, long seed) {
        Shape s = a.getShape();
        double bound = s.dimension() >= 2 ? 1.0 / Math.sqrt((double) s.size() / s.get(0)) : 1.0;
        float[] v = new float[Math.toIntExact(s.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((2 * SeedMix.uniform(seed, i) - 1) * bound);
        }
        Params.assign(a, v);
    }

    private static void write(Path file, NDArray a) throws IOException {
        try (OutputStream o = Files.newOutputStream(file)) {
            Npy.writeFloat32(o, a.toFloatArray(), a.getShape().getShape());
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
