package io.diffusion4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Image folders made here: labels from sub-folders, grey and RGB, crop and resize, and broken files. */
class ImageFolderTest {
    @TempDir
    Path dir;

    private static Path write(Path file, int w, int h, int rgb, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, format, file.toFile()));
        return file;
    }

    private static float scaled(int v) {
        return v / 127.5f - 1f;
    }

    @Test
    void subFoldersAreClassesAndPixelsScaleToMinusOneOne() throws IOException {
        write(dir.resolve("dog/b.png"), 6, 6, 0xFF0000, "png");
        write(dir.resolve("cat/a.png"), 8, 8, 0x00FF00, "png");
        write(dir.resolve("cat/b.PNG"), 3, 3, 0x646464, "png");
        Files.writeString(dir.resolve("cat/notes.txt"), "not an image");
        try (NDManager m = NDManager.newBaseManager();
             Samples grey = ImageFolder.load(m, dir, ImageFolder.Format.square(4, false));
             Samples rgb = ImageFolder.load(m, dir, ImageFolder.Format.square(4, true))) {
            assertEquals(List.of("cat", "dog"), ImageFolder.classes(dir));
            assertEquals(3, grey.size());
            assertEquals(new Shape(1, 4, 4), grey.sampleShape());
            assertEquals(new Shape(3, 4, 4), rgb.sampleShape());
            assertEquals(2, grey.numClasses());
            assertArrayEquals(new long[] {0, 0, 1}, grey.labels(m, new long[] {0, 1, 2}).toLongArray());
            NDArray g = grey.batch(m, new long[] {0, 1, 2});
            // green: luma 0.587·255 = 149.7 → 150; grey 100 stays 100 after upscaling; red: 0.299·255 = 76.2 → 76
            assertEquals(scaled(150), g.getFloat(0, 0, 0, 0), 1e-6f);
            assertEquals(scaled(100), g.getFloat(1, 0, 3, 3), 1e-6f);
            assertEquals(scaled(76), g.getFloat(2, 0, 2, 1), 1e-6f);
            NDArray c = rgb.batch(m, new long[] {2});
            assertArrayEquals(new float[] {1, -1, -1}, new float[] {c.getFloat(0, 0, 1, 1), c.getFloat(0, 1, 1, 1), c.getFloat(0, 2, 1, 1)});
        }
    }

    @Test
    void wideImagesAreCentreCroppedAndGreyPngsKeepTheirValues() throws IOException {
        BufferedImage img = new BufferedImage(8, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                img.getRaster().setSample(x, y, 0, x < 4 ? 40 : 200);
            }
        }
        ImageIO.write(img, "png", dir.resolve("wide.png").toFile());
        try (NDManager m = NDManager.newBaseManager(); Samples s = ImageFolder.load(m, dir, ImageFolder.Format.square(4, false))) {
            assertEquals(0, s.numClasses());
            assertNull(s.labels(m, new long[] {0}));
            // columns 2…5 of 0…7 survive the crop: two of value 40, two of 200 (no gamma change of grey PNGs)
            float[] row = Arrays.copyOf(s.batch(m, new long[] {0}).toFloatArray(), 4);
            assertArrayEquals(new float[] {scaled(40), scaled(40), scaled(200), scaled(200)}, row, 1e-6f);
        }
    }

    @Test
    void jpegsAreRead() throws IOException {
        write(dir.resolve("a.jpg"), 16, 16, 0x808080, "jpg");
        try (NDManager m = NDManager.newBaseManager(); Samples s = ImageFolder.load(m, dir, new ImageFolder.Format(2, 3, true))) {
            assertEquals(new Shape(3, 2, 3), s.sampleShape());
            for (float v : s.batch(m, new long[] {0}).toFloatArray()) {
                assertEquals(scaled(128), v, 0.03f);
            }
        }
    }

    @Test
    void corruptAndTruncatedFilesNameTheFile() throws IOException {
        Path png = write(dir.resolve("x/a.png"), 32, 32, 0x123456, "png");
        byte[] bytes = Files.readAllBytes(png);
        Files.write(png, Arrays.copyOf(bytes, bytes.length / 2));
        assertFails(png, "corrupt or truncated");

        Files.delete(png);
        Path jpg = dir.resolve("x/b.jpg");
        BufferedImage noise = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 64 * 64; i++) {
            noise.setRGB(i % 64, i / 64, (int) (i * 2654435761L));   // high-entropy pixels: a long JPEG
        }
        ImageIO.write(noise, "jpg", jpg.toFile());
        bytes = Files.readAllBytes(jpg);
        Files.write(jpg, Arrays.copyOf(bytes, bytes.length * 2 / 3));
        assertFails(jpg, "corrupt or truncated");

        Files.delete(jpg);
        Path junk = dir.resolve("x/c.png");
        Files.writeString(junk, "this is not a PNG");
        assertFails(junk, "not a readable PNG or JPEG");
    }

    @Test
    void folderProblemsAreExplained() throws IOException {
        IOException e = assertThrows(IOException.class, () -> load(dir));
        assertTrue(e.getMessage().contains("no PNG or JPEG images") && e.getMessage().contains(dir.toString()), e.getMessage());
        e = assertThrows(IOException.class, () -> load(dir.resolve("missing")));
        assertTrue(e.getMessage().contains("is not a folder"), e.getMessage());
        write(dir.resolve("a/1.png"), 2, 2, 0, "png");
        write(dir.resolve("loose.png"), 2, 2, 0, "png");
        e = assertThrows(IOException.class, () -> load(dir));
        assertTrue(e.getMessage().contains("loose images") && e.getMessage().contains("loose.png"), e.getMessage());
    }

    private void assertFails(Path file, String what) {
        IOException e = assertThrows(IOException.class, () -> load(dir));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(what), e.getMessage());
    }

    private static void load(Path folder) throws IOException {
        try (NDManager m = NDManager.newBaseManager(); Samples s = ImageFolder.load(m, folder, ImageFolder.Format.square(8, true))) {
            assertTrue(s.size() > 0);
        }
    }
}
