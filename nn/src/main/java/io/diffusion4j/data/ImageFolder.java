package io.diffusion4j.data;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.util.Check;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A data set from a folder of PNG and JPEG images. Each image is centre-cropped to the target aspect ratio,
 * resized (bilinear, halving first while it is more than twice too large, so downscaling does not alias),
 * converted to grey (ITU-R BT.601 luma, 0.299R + 0.587G + 0.114B) or kept RGB, with transparency composited
 * over black, and stored as uint8; batches come out in [−1, 1] (see {@link Samples}).
 *
 * <p>Labels follow torchvision's {@code ImageFolder} convention: when {@code dir} has sub-folders, each
 * sub-folder is a class, numbered in sorted name order, and images must sit in them (not beside them);
 * when it has none, the images directly in {@code dir} form an unlabelled set. Files are read in sorted
 * order, so sample i is the same on every machine.
 */
public final class ImageFolder {
    /**
     * What to load.
     *
     * @param height target height in pixels ≥ 1
     * @param width target width in pixels ≥ 1
     * @param rgb three channels (else one grey channel)
     */
    public record Format(int height, int width, boolean rgb) {
        public Format {
            Check.positive(height, "image height");
            Check.positive(width, "image width");
        }

        /** Square images of {@code size}×{@code size}. */
        public static Format square(int size, boolean rgb) {
            return new Format(size, size, rgb);
        }

        /** Channels per pixel: 3 or 1. */
        public int channels() {
            return rgb ? 3 : 1;
        }
    }

    private ImageFolder() {}

    /** Class names of the folder (sorted sub-folder names), empty when the images are unlabelled. */
    public static List<String> classes(Path dir) throws IOException {
        checkDir(dir);
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    /**
     * Loads every image of {@code dir} (see the class comment for labels).
     *
     * @throws IOException naming the file when an image is corrupt, truncated or not PNG/JPEG, or naming the
     *     folder when it holds no image or mixes class folders with loose images
     */
    public static Samples load(NDManager manager, Path dir, Format format) throws IOException {
        Check.notNull(format, "format");
        List<String> classes = classes(dir);
        List<Path> files = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        if (classes.isEmpty()) {
            files.addAll(images(dir));
        } else {
            List<Path> loose = images(dir);
            if (!loose.isEmpty()) {
                throw new IOException(dir + " has class sub-folders " + classes + " and also loose images such as " + loose.get(0)
                        + "; put every image in a class folder, or remove the sub-folders for an unlabelled set");
            }
            for (int c = 0; c < classes.size(); c++) {
                for (Path f : images(dir.resolve(classes.get(c)))) {
                    files.add(f);
                    labels.add((long) c);
                }
            }
        }
        if (files.isEmpty()) {
            throw new IOException("no PNG or JPEG images (*.png, *.jpg, *.jpeg) in " + dir);
        }
        int plane = format.height() * format.width();
        int perImage = format.channels() * plane;
        byte[] pixels = new byte[Math.multiplyExact(files.size(), perImage)];
        for (int i = 0; i < files.size(); i++) {
            BufferedImage img = resize(read(files.get(i)), format.height(), format.width());
            toPlanes(img, format.rgb(), pixels, i * perImage, plane);
        }
        Shape shape = new Shape(files.size(), format.channels(), format.height(), format.width());
        long[] l = classes.isEmpty() ? null : labels.stream().mapToLong(Long::longValue).toArray();
        return Samples.ofPixels(manager, pixels, shape, l, classes.size());
    }

    private static void checkDir(Path dir) throws IOException {
        if (!Files.isDirectory(Check.notNull(dir, "image folder"))) {
            throw new IOException(dir + " is not a folder");
        }
    }

    private static List<Path> images(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(ImageFolder::isImage).sorted().toList();
        }
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
    }

    /**
     * Decodes one file, treating decoder warnings as errors: Java's JPEG reader only warns on a truncated
     * file ("premature end of data") and returns the grey-filled remainder.
     */
    static BufferedImage read(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IOException(file + " is not a readable PNG or JPEG image (unknown format)");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            try {
                reader.setInput(in, true, true);
                BufferedImage img = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new IOException(file + " is corrupt or truncated: " + warnings.get(0));
                }
                return img;
            } catch (IOException | RuntimeException e) {
                if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
                    throw e;
                }
                throw new IOException(file + " is corrupt or truncated: " + e.getMessage(), e);
            } finally {
                reader.dispose();
            }
        }
    }

    /** Centre crop to the target aspect ratio, then bilinear resizing (halving first) to height × width. */
    static BufferedImage resize(BufferedImage src, int height, int width) {
        int w = src.getWidth();
        int h = src.getHeight();
        int cropW = w;
        int cropH = h;
        if ((long) w * height > (long) h * width) {
            cropW = Math.max(1, (int) Math.round((double) h * width / height));
        } else {
            cropH = Math.max(1, (int) Math.round((double) w * height / width));
        }
        BufferedImage img = draw(src, (w - cropW) / 2, (h - cropH) / 2, cropW, cropH, cropW, cropH);
        while (img.getWidth() >= 2 * width && img.getHeight() >= 2 * height) {
            img = draw(img, 0, 0, img.getWidth(), img.getHeight(), img.getWidth() / 2, img.getHeight() / 2);
        }
        return img.getWidth() == width && img.getHeight() == height ? img : draw(img, 0, 0, img.getWidth(), img.getHeight(), width, height);
    }

    /** The region (x, y, w, h) of src drawn into a new w2 × h2 RGB image over black. */
    private static BufferedImage draw(BufferedImage src, int x, int y, int w, int h, int w2, int h2) {
        BufferedImage out = new BufferedImage(w2, h2, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, w2, h2, x, y, x + w, y + h, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Writes the image's channel planes (C, H, W) as bytes at {@code offset}. */
    private static void toPlanes(BufferedImage img, boolean rgb, byte[] out, int offset, int plane) {
        int w = img.getWidth();
        int[] argb = img.getRGB(0, 0, w, img.getHeight(), null, 0, w);
        for (int p = 0; p < argb.length; p++) {
            int r = (argb[p] >> 16) & 0xFF;
            int g = (argb[p] >> 8) & 0xFF;
            int b = argb[p] & 0xFF;
            if (rgb) {
                out[offset + p] = (byte) r;
                out[offset + plane + p] = (byte) g;
                out[offset + 2 * plane + p] = (byte) b;
            } else {
                out[offset + p] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
            }
        }
    }
}
