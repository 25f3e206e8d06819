package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.GaussianMixtureDenoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.NoiseSchedule;
import io.diffusion4j.schedule.RectifiedFlow;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Same seed → same bits on 1 and 2 engine threads. The engine reads its thread count once, when it
 * loads, so each count runs in a JVM of its own (CONTRACT.md).
 */
class ThreadCountDeterminismTest {

    @Test
    void everyNamedSamplerGivesTheSameBitsOnOneAndTwoThreads() throws Exception {
        String one = fork(1, 0);
        String two = fork(2, 0);
        String otherSeed = fork(1, 1);
        assertEquals(one, two, "digests on 1 vs 2 threads");
        assertNotEquals(one, otherSeed, "a different seed must give different samples");
    }

    private static String fork(int threads, long seed) throws IOException, InterruptedException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=" + threads, "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp", cp, Main.class.getName(), Long.toString(seed)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            out = buf.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
        assertEquals(0, p.waitFor(), "forked sampler run failed:\n" + out);
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    /** Runs every named sampler on a bimodal 8-D mixture and prints one digest of all outputs. */
    public static final class Main {
        public static void main(String[] args) throws NoSuchAlgorithmException {
            long seed = Long.parseLong(args[0]);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            GaussianMixtureDenoiser data = new GaussianMixtureDenoiser(
                    new double[][] {{1, 1, 1, 1, 1, 1, 1, 1}, {-1, -1, -1, -1, -1, -1, -1, -1}},
                    new double[] {0.3, 0.5}, new double[] {1, 2});
            try (NDManager m = NDManager.newBaseManager()) {
                for (Sampling.Method method : Sampling.Method.values()) {
                    NoiseSchedule schedule = method.isFlow() ? new RectifiedFlow() : DiscreteVp.defaults();
                    double eta = method.takesEta() ? 1.0 : method.defaultEta();   // stochastic where possible
                    Sampling.Choice c = method.choose(schedule, 12, eta);
                    NDArray x = new SamplingLoop(c.sampler(), data, c.plan())
                            .sample(m, new Shape(8), Conditioning.NONE, new NoiseSource(seed), NoiseSource.range(0, 256));
                    float[] v = x.toFloatArray();
                    ByteBuffer b = ByteBuffer.allocate(4 * v.length);
                    b.asFloatBuffer().put(v);
                    sha.update(b.array());
                }
            }
            System.out.println(HexFormat.of().formatHex(sha.digest()));
        }
    }
}
