package io.diffusion4j.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.diffusion4j.eval.EvaluatorTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleImagesTest {
    @Test
    void npyIsReadAndRoundOffBeyondTheRangeIsClipped(@TempDir Path dir) throws IOException {
        float[] px = new float[2 * 784];
        px[0] = 1.0005f;
        px[1] = -1.0005f;
        px[2] = 0.25f;
        Path f = dir.resolve("s.npy");
        EvalFixtures.writeNpy(f, px, 2, 1, 28, 28);
        SampleImages s = SampleImages.read(f);
        assertEquals(2, s.n());
        assertEquals(1f, s.pixels()[0]);
        assertEquals(-1f, s.pixels()[1]);
        assertEquals(0.25f, s.pixels()[2]);
        assertEquals(f.toString(), s.source());
    }

    @Test
    void nanIsRejected() {
        float[] px = new float[784];
        px[7] = Float.NaN;
        assertMessage(IllegalArgumentException.class, () -> SampleImages.of(px, 1, "x.npy"), "x.npy", "NaN", "[-1, 1]");
    }

    @Test
    void pngFolderIsReadInNaturalOrderFromGreyOrEqualChannelRgb(@TempDir Path dir) throws IOException {
        List<Integer> values = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            int v = i * 20;
            values.add(v);
            BufferedImage img = new BufferedImage(28, 28, i % 2 == 0 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    int p = x == 3 ? 255 : v;
                    if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
                        img.getRaster().setSample(x, y, 0, p);
                    } else {
                        img.setRGB(x, y, (p << 16) | (p << 8) | p);
                    }
                }
            }
            ImageIO.write(img, "png", dir.resolve("img-" + i + ".PNG").toFile());
        }
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        SampleImages s = SampleImages.read(dir);
        assertEquals(12, s.n());
        for (int i = 0; i < 12; i++) {
            assertEquals(values.get(i) / 127.5f - 1f, s.pixels()[i * 784], 1e-6, "image " + i + " (img-" + (i + 1) + ")");
            assertEquals(1f, s.pixels()[i * 784 + 3]);
        }
    }

    @Test
    void badPngFoldersAreRejected(@TempDir Path dir) throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertMessage(IllegalArgumentException.class, () -> SampleImages.read(empty), empty.toString(), "no .png files");

        Path big = Files.createDirectory(dir.resolve("big"));
        ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY), "png", big.resolve("a.png").toFile());
        assertMessage(IllegalArgumentException.class, () -> SampleImages.read(big), big.resolve("a.png").toString(), "32x32", "28x28");

        Path colour = Files.createDirectory(dir.resolve("colour"));
        BufferedImage c = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        c.setRGB(4, 5, 0xFF0000);
        ImageIO.write(c, "png", colour.resolve("a.png").toFile());
        assertMessage(IllegalArgumentException.class, () -> SampleImages.read(colour), colour.resolve("a.png").toString(), "grey");

        Path notPng = Files.createDirectory(dir.resolve("notpng"));
        Files.writeString(notPng.resolve("a.png"), "not an image");
        assertMessage(IOException.class, () -> SampleImages.read(notPng), notPng.resolve("a.png").toString(), "PNG");

        Path txt = dir.resolve("samples.txt");
        Files.writeString(txt, "x");
        assertMessage(IllegalArgumentException.class, () -> SampleImages.read(txt), txt.toString(), ".npy");
    }

    @Test
    void labelsMustBeIntegersOfTheRightCountAndRange(@TempDir Path dir) throws IOException {
        Path l = dir.resolve("labels.npy");
        EvalFixtures.writeLabels(l, new long[] {0, 9, 3});
        assertArrayEquals(new long[] {0, 9, 3}, SampleImages.readLabels(l, 3, 10));
        assertMessage(IllegalArgumentException.class, () -> SampleImages.readLabels(l, 4, 10), l.toString(), "3 labels for 4 images");
        Path f = dir.resolve("float.npy");
        EvalFixtures.writeNpy(f, new float[3], 3);
        assertMessage(IllegalArgumentException.class, () -> SampleImages.readLabels(f, 3, 10), f.toString(), "int64");
        Path two = dir.resolve("two.npy");
        try (var out = Files.newOutputStream(two)) {
            io.diffusion4j.io.Npy.writeInt64(out, new long[] {0, 1, 2, 3}, 2, 2);
        }
        assertMessage(IllegalArgumentException.class, () -> SampleImages.readLabels(two, 4, 10), two.toString(), "shape");
    }

    @Test
    void naturalOrderComparesDigitRunsByValue() {
        List<String> names = new ArrayList<>(List.of("img-10.png", "img-2.png", "img-002.png", "a.png", "img-1.png"));
        names.sort(SampleImages.NaturalOrder::compare);
        assertEquals(List.of("a.png", "img-1.png", "img-002.png", "img-2.png", "img-10.png"), names);
        assertTrue(SampleImages.NaturalOrder.compare("x9", "x10") < 0);
    }
}
