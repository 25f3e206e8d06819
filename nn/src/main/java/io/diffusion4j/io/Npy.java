package io.diffusion4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format version 1.0, the NEP 1 layout): the magic {@code \x93NUMPY}, version
 * bytes, a little-endian 2-byte header length, an ASCII dict {'descr', 'fortran_order', 'shape'} padded
 * with spaces to a multiple of 64 bytes and ended by a newline, then the raw C-order data. We write and
 * read little-endian float32 ({@code <f4}) and int64 ({@code <i8}); reading also accepts {@code <f8}
 * and {@code <i4}, converted.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=]?[a-z]\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** An array read from a file: its shape and its values as float32 or int64. */
    public record Array(long[] shape, float[] floats, long[] longs) {
        /** Number of elements. */
        public long size() {
            return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        }
    }

    /** Writes float32 data of {@code shape}. */
    public static void writeFloat32(OutputStream out, float[] data, long... shape) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        write(out, "<f4", shape, data.length, b.array());
    }

    /** Writes int64 data of {@code shape}. */
    public static void writeInt64(OutputStream out, long[] data, long... shape) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(data);
        write(out, "<i8", shape, data.length, b.array());
    }

    private static void write(OutputStream out, String descr, long[] shape, int count, byte[] payload) throws IOException {
        long size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        if (size != count) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + size + " values, got " + count);
        }
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String tuple = shape.length == 1 ? dims.toString().trim() : dims.substring(0, Math.max(0, dims.length() - 2));
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + tuple + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        out.write(MAGIC);
        out.write(new byte[] {1, 0});
        int len = header.length();
        out.write(new byte[] {(byte) (len & 0xff), (byte) (len >>> 8)});
        out.write(header.getBytes(StandardCharsets.US_ASCII));
        out.write(payload);
    }

    /** Reads a file; a malformed one fails with an IOException naming the file and the problem. */
    public static Array read(Path file) throws IOException {
        byte[] all;
        try (InputStream in = Files.newInputStream(file)) {
            all = in.readAllBytes();
        }
        return parse(all, file.toString());
    }

    static Array parse(byte[] all, String name) throws IOException {
        if (all.length < 10 || !Arrays.equals(Arrays.copyOf(all, 6), MAGIC)) {
            throw new IOException(name + " is not a .npy file (no \\x93NUMPY magic)");
        }
        int major = all[6];
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = (all[8] & 0xff) | (all[9] & 0xff) << 8;
            start = 10;
        } else if (major == 2 || major == 3) {
            headerLen = ByteBuffer.wrap(all, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            start = 12;
        } else {
            throw new IOException(name + ": unsupported .npy version " + major);
        }
        if (start + headerLen > all.length) {
            throw new IOException(name + " is truncated inside its header");
        }
        String header = new String(all, start, headerLen, StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, name, "descr");
        if ("True".equals(group(FORTRAN, header, name, "fortran_order"))) {
            throw new IOException(name + ": Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray");
        }
        long[] shape = parseShape(group(SHAPE, header, name, "shape"), name);
        long count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        int width = Integer.parseInt(descr.substring(descr.length() - 1));
        if (descr.startsWith(">")) {
            throw new IOException(name + ": big-endian data ('" + descr + "') is not supported");
        }
        int dataStart = start + headerLen;
        if ((long) all.length - dataStart < count * width) {
            throw new IOException(name + " is truncated: its header promises " + count + " values of " + width
                    + " bytes, the file holds " + (all.length - dataStart) + " data bytes");
        }
        ByteBuffer data = ByteBuffer.wrap(all, dataStart, (int) (count * width)).order(ByteOrder.LITTLE_ENDIAN);
        String kind = descr.replaceAll("^[<=|]", "");
        switch (kind) {
            case "f4" -> {
                float[] f = new float[(int) count];
                data.asFloatBuffer().get(f);
                return new Array(shape, f, null);
            }
            case "f8" -> {
                float[] f = new float[(int) count];
                for (int i = 0; i < count; i++) {
                    f[i] = (float) data.getDouble();
                }
                return new Array(shape, f, null);
            }
            case "i8" -> {
                long[] l = new long[(int) count];
                data.asLongBuffer().get(l);
                return new Array(shape, null, l);
            }
            case "i4" -> {
                long[] l = new long[(int) count];
                for (int i = 0; i < count; i++) {
                    l[i] = data.getInt();
                }
                return new Array(shape, null, l);
            }
            default -> throw new IOException(name + ": dtype '" + descr + "' is not supported; use float32, float64, int32 or int64");
        }
    }

    /** The dimensions of a shape tuple such as "3, 28, 28" (a corrupt one fails naming the file). */
    private static long[] parseShape(String tuple, String name) throws IOException {
        long[] shape;
        try {
            shape = Arrays.stream(tuple.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) {
            throw new IOException(name + ": the .npy header has an unreadable shape (" + tuple + ")", e);
        }
        long count = 1;
        for (long d : shape) {
            if (d < 0 || (d > 0 && count > Integer.MAX_VALUE / d)) {
                throw new IOException(name + ": the .npy header declares an impossible shape (" + tuple + ")");
            }
            count *= d;
        }
        return shape;
    }

    private static String group(Pattern p, String header, String name, String key) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(name + ": the .npy header has no readable '" + key + "' entry");
        }
        return m.group(1);
    }
}
