package io.diffusion4j.eval;

import io.diffusion4j.io.Npy;
import io.diffusion4j.util.Check;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A set of images to score, as the classifier takes them: float32 (n, 1, 28, 28) in [−1, 1]. Read from
 * <ul>
 *   <li>a {@code .npy} file of shape (N, 1, 28, 28), float32 (float64 is accepted and rounded), values
 *       in [−1, 1] — the output of {@code sample --format npy};</li>
 *   <li>a folder of 28×28 grey PNGs: every file in it (not in sub-folders) whose name ends in
 *       {@code .png} (any case), in natural name order (digit runs compare as numbers, so
 *       {@code img-2.png} precedes {@code img-10.png}); other files are ignored. 8- or 16-bit grey, with
 *       or without an opaque alpha channel, or RGB whose three channels are equal (what a grey image
 *       saved as RGB is); a pixel p of b bits maps to 2p/(2^b − 1) − 1.</li>
 * </ul>
 * Values up to {@link #TOLERANCE} outside [−1, 1] (round-off of a sampler) are clipped; anything
 * further out, NaN or infinity is rejected.
 *
 * <p>Errors: a file that cannot be read as what it claims to be (truncated, corrupt, not a PNG)
 * throws {@link IOException}; a readable file with the wrong content (shape, dtype, range, label
 * count) throws {@link IllegalArgumentException}. Both carry one line naming the file, what was
 * wrong and what is allowed.
 *
 * @param pixels row-major float32 (n, 1, 28, 28)
 * @param n number of images
 * @param source the file or folder read, for messages and reports
 */
public record SampleImages(float[] pixels, int n, String source) {
    /** Image side. */
    public static final int SIZE = 28;
    /** How far outside [−1, 1] a value may be and still be accepted (and clipped). */
    public static final double TOLERANCE = 1e-3;
    private static final String ALLOWED_NPY = "expected a float32 .npy of shape (N, 1, 28, 28) with values in [-1, 1]";

    public SampleImages {
        Check.notNull(pixels, "pixels");
        Check.notNull(source, "source");
        if ((long) n * SIZE * SIZE != pixels.length) {
            throw new IllegalArgumentException(source + ": " + pixels.length + " values do not make " + n + " images of 1x28x28");
        }
    }

    /**
     * Checks and clips in-memory images (row-major (n, 1, 28, 28)).
     *
     * @param source name for messages
     */
    public static SampleImages of(float[] pixels, int n, String source) {
        float[] clipped = pixels.clone();
        for (int i = 0; i < clipped.length; i++) {
            float v = clipped[i];
            if (!(Math.abs(v) <= 1 + TOLERANCE)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "%s: value %s at image %d, pixel %d is outside [-1, 1]; images must be scaled to [-1, 1] (tolerance %.0e)",
                        source, v, i / (SIZE * SIZE), i % (SIZE * SIZE), TOLERANCE));
            }
            clipped[i] = Math.max(-1f, Math.min(1f, v));
        }
        return new SampleImages(clipped, n, source);
    }

    /** Reads a {@code .npy} file or a folder of PNGs (see the class comment). */
    public static SampleImages read(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return readPngFolder(path);
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException(path + " does not exist; expected a .npy file of shape (N, 1, 28, 28) or a folder of 28x28 PNGs");
        }
        if (!path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
            throw new IllegalArgumentException(path + " is neither a .npy file nor a folder; expected a .npy file of shape (N, 1, 28, 28) "
                    + "or a folder of 28x28 PNGs");
        }
        Npy.Array a = Npy.read(path);
        long[] s = a.shape();
        if (a.floats() == null) {
            throw new IllegalArgumentException(path + " holds integers; " + ALLOWED_NPY);
        }
        if (s.length != 4 || s[1] != 1 || s[2] != SIZE || s[3] != SIZE || s[0] < 1) {
            throw new IllegalArgumentException(path + " has shape " + Arrays.toString(s) + "; " + ALLOWED_NPY);
        }
        return of(a.floats(), Math.toIntExact(s[0]), path.toString());
    }

    /**
     * Reads class labels for {@code n} images: a {@code .npy} of int64 (int32 accepted), shape (n,),
     * values in 0 … classes−1.
     */
    public static long[] readLabels(Path path, int n, int classes) throws IOException {
        String allowed = "expected an int64 .npy of shape (" + n + ",) with values in [0, " + (classes - 1) + "]";
        if (!Files.isRegularFile(path)) {
            throw new IOException(path + " does not exist; " + allowed);
        }
        Npy.Array a = Npy.read(path);
        if (a.longs() == null) {
            throw new IllegalArgumentException(path + " holds floating-point values; " + allowed);
        }
        if (a.shape().length != 1) {
            throw new IllegalArgumentException(path + " has shape " + Arrays.toString(a.shape()) + "; " + allowed);
        }
        if (a.shape()[0] != n) {
            throw new IllegalArgumentException(path + " holds " + a.shape()[0] + " labels for " + n + " images; " + allowed);
        }
        long[] l = a.longs();
        for (int i = 0; i < l.length; i++) {
            if (l[i] < 0 || l[i] >= classes) {
                throw new IllegalArgumentException(path + " has label " + l[i] + " at index " + i + "; " + allowed);
            }
        }
        return l;
    }

    private static SampleImages readPngFolder(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
                    files.add(p);
                }
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(dir + " holds no .png files; expected a folder of 28x28 grey PNGs or a .npy file");
        }
        files.sort((a, b) -> NaturalOrder.compare(a.getFileName().toString(), b.getFileName().toString()));
        float[] pixels = new float[files.size() * SIZE * SIZE];
        for (int i = 0; i < files.size(); i++) {
            readPng(files.get(i), pixels, i * SIZE * SIZE);
        }
        return new SampleImages(pixels, files.size(), dir.toString());
    }

    private static void readPng(Path file, float[] out, int offset) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + " is not a readable PNG (" + e.getMessage() + ")", e);
        }
        if (img == null) {
            throw new IOException(file + " is not a readable PNG image");
        }
        if (img.getWidth() != SIZE || img.getHeight() != SIZE) {
            throw new IllegalArgumentException(file + " is " + img.getWidth() + "x" + img.getHeight() + "; expected 28x28 grey PNGs");
        }
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        boolean opaque = !cm.hasAlpha();
        if (cm.getNumColorComponents() == 1 && r.getNumBands() == cm.getNumComponents()) {
            double max = (1 << cm.getComponentSize(0)) - 1.0;
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    if (!opaque && r.getSample(x, y, 1) != (1 << cm.getComponentSize(1)) - 1) {
                        throw new IllegalArgumentException(file + " has transparent pixels; expected opaque grey PNGs");
                    }
                    out[offset + y * SIZE + x] = (float) (2 * r.getSample(x, y, 0) / max - 1);
                }
            }
            return;
        }
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int argb = img.getRGB(x, y);
                int red = (argb >>> 16) & 0xFF;
                if (red != ((argb >>> 8) & 0xFF) || red != (argb & 0xFF)) {
                    throw new IllegalArgumentException(file + " has colour pixel (" + x + ", " + y + "); expected grey PNGs (R = G = B)");
                }
                if ((argb >>> 24) != 0xFF) {
                    throw new IllegalArgumentException(file + " has transparent pixels; expected opaque grey PNGs");
                }
                out[offset + y * SIZE + x] = (float) (red / 127.5 - 1);
            }
        }
    }

    /** Name order in which runs of digits compare by value ("2" before "10"), then by text. */
    static final class NaturalOrder {
        private NaturalOrder() {}

        static int compare(String a, String b) {
            int i = 0;
            int j = 0;
            while (i < a.length() && j < b.length()) {
                char ca = a.charAt(i);
                char cb = b.charAt(j);
                if (Character.isDigit(ca) && Character.isDigit(cb)) {
                    int ei = digitsEnd(a, i);
                    int ej = digitsEnd(b, j);
                    String da = a.substring(i, ei).replaceFirst("^0+(?=.)", "");
                    String db = b.substring(j, ej).replaceFirst("^0+(?=.)", "");
                    int c = da.length() != db.length() ? Integer.compare(da.length(), db.length()) : da.compareTo(db);
                    if (c != 0) {
                        return c;
                    }
                    i = ei;
                    j = ej;
                } else {
                    if (ca != cb) {
                        return Character.compare(ca, cb);
                    }
                    i++;
                    j++;
                }
            }
            int c = Integer.compare(a.length() - i, b.length() - j);
            return c != 0 ? c : a.compareTo(b);
        }

        private static int digitsEnd(String s, int from) {
            int k = from;
            while (k < s.length() && Character.isDigit(s.charAt(k))) {
                k++;
            }
            return k;
        }
    }
}
