package io.diffusion4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.diffusion4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.diffusion4j.cli.CliRun.assertOneLineError;
import static io.diffusion4j.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Fashion-MNIST model in the cli resources: what {@code generate} uses without {@code --checkpoint}. */
class BundledModelTest {
    @TempDir
    Path dir;

    @Test
    void infoDescribesTheBundledModel() {
        CliRun.Result r = run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("bundled model"), r.out());
        assertTrue(r.out().contains("1,624,577"), "parameter count: " + r.out());
        assertTrue(r.out().matches("(?s).*classes +10 .*"), r.out());
    }

    @Test
    void generateWithoutACheckpointWritesAGridOfOneColumnPerClass() throws Exception {
        Path png = dir.resolve("g.png");
        CliRun.Result r = run("generate", "--count", "20", "--steps", "4", "--out", png.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage image = ImageIO.read(png.toFile());
        // 20 images, one column per class: 10 columns and 2 rows of 28-pixel tiles with 2-pixel gaps
        assertEquals(10 * 28 + 11 * 2, image.getWidth());
        assertEquals(2 * 28 + 3 * 2, image.getHeight());
    }

    /**
     * The bundled model makes recognisable garments: the shipped classifier finds the requested class in
     * most of 50 samples (10 DPM++ 2M steps, guidance 3). The full table at N = 2,000 is docs/quality.md.
     */
    @Test
    void theShippedClassifierRecognisesTheRequestedClasses() throws Exception {
        assertRecognised("dpm++2m");
    }

    /**
     * Guided DDIM with x̂₀ clipping must step with the ε̂ of the clipped x̂₀: with diffusers' default
     * (clipped x̂₀, unclipped ε̂) this check measured 0.78, and 50 steps at N = 2,000 gave 0.31.
     */
    @Test
    void guidedDdimMakesRecognisableGarmentsToo() throws Exception {
        assertRecognised("ddim");
    }

    private void assertRecognised(String sampler) throws Exception {
        Path out = dir.resolve("s");
        CliRun.Result s = run("sample", "--n", "50", "--format", "npy", "--sampler", sampler, "--steps", "10", "--guidance", "3",
                "--seed", "0", "--out", out.toString());
        assertEquals(0, s.code(), s.err());
        assertEquals(50, Npy.read(out.resolve("samples.npy")).shape()[0]);
        Path json = dir.resolve("eval.json");
        CliRun.Result e = run("eval", out.resolve("samples.npy").toString(), "--labels", out.resolve("labels.npy").toString(),
                "--json", json.toString());
        assertEquals(0, e.code(), e.err());
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        double accuracy = o.get("class_accuracy").getAsDouble();
        assertTrue(accuracy >= 0.85, sampler + ": class accuracy " + accuracy);
    }

    @Test
    void anOutOfRangeClassOfTheBundledModelIsOneLine() {
        CliRun.Result r = run("generate", "--class", "10", "--out", dir.resolve("x.png").toString());
        assertOneLineError(r, 2, "--class");
    }
}
