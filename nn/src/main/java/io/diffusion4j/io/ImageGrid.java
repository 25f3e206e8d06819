package io.diffusion4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.util.Check;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a batch of images in [−1, 1] as one PNG grid, row-major, with a border between tiles. */
public final class ImageGrid {
    private ImageGrid() {}

    /**
     * Writes images (N, C, H, W), C = 1 (grey) or 3 (RGB), values in [−1, 1] (clipped), as a grid of
     * {@code columns} columns and ⌈N/columns⌉ rows with {@code pad} black pixels between tiles. The
     * file is written under a temporary name and renamed, so a reader never sees half a PNG.
     */
    public static void write(Path file, NDArray images, int columns, int pad) throws IOException {
        BufferedImage img = render(images, columns, pad);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        TempPaths.replaceAtomically(file, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) {
                throw new IOException("no PNG writer available");
            }
        });
    }

    /** The grid of {@link #write} as an image (for GIF frames and single PNGs). */
    public static BufferedImage render(NDArray images, int columns, int pad) {
        Check.positive(columns, "columns");
        Check.nonNegative(pad, "padding");
        Shape s = images.getShape();
        if (s.dimension() != 4 || (s.get(1) != 1 && s.get(1) != 3)) {
            throw new IllegalArgumentException("images must be (N, 1 or 3, H, W), got " + s);
        }
        int n = (int) s.get(0);
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        int rows = (n + columns - 1) / columns;
        float[] v = images.toType(DataType.FLOAT32, false).toFloatArray();
        BufferedImage img = new BufferedImage(pad + columns * (w + pad), pad + rows * (h + pad), BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < n; i++) {
            int x0 = pad + (i % columns) * (w + pad);
            int y0 = pad + (i / columns) * (h + pad);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = 0;
                    for (int k = 0; k < 3; k++) {
                        int ch = c == 1 ? 0 : k;
                        float f = v[((i * c + ch) * h + y) * w + x];
                        int b = Math.round((Math.max(-1f, Math.min(1f, f)) + 1f) * 127.5f);
                        rgb = (rgb << 8) | b;
                    }
                    img.setRGB(x0 + x, y0 + y, rgb);
                }
            }
        }
        return img;
    }
}
