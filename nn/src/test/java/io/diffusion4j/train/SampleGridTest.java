package io.diffusion4j.train;

import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.nn.Params;
import io.diffusion4j.nn.UNet;
import io.diffusion4j.schedule.DiscreteVp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SampleGridTest {
    @TempDir
    Path dir;

    @Test
    void writesOneRowPerClass() throws IOException {
        try (TinyRun run = new TinyRun()) {
            UNet net = Params.create(new UNet(TinyRun.NET), run.manager, 1);
            Path png = dir.resolve("grid.png");
            new SampleGrid(3, 3.0, 2, 7).write(png, net, DiscreteVp.defaults(), Prediction.EPSILON, new Shape(1, 8, 8), run.manager);
            BufferedImage img = ImageIO.read(png.toFile());
            assertEquals(2 + 2 * (8 + 2), img.getWidth());    // 2 columns of 8 px, 2 px borders
            assertEquals(2 + 3 * (8 + 2), img.getHeight());   // 3 classes
        }
    }
}
