package io.diffusion4j.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader of IDX files of unsigned bytes (LeCun's MNIST format, also Fashion-MNIST): a big-endian
 * magic 0x0000 08 D (type 0x08 = ubyte, D dimensions), D big-endian int32 sizes, then the bytes.
 * Files may be gzipped (detected by their magic 1f 8b). Every failure names the file.
 */
public final class Idx {
    private static final int UBYTE = 0x08;

    /**
     * An IDX tensor.
     *
     * @param dims sizes, outermost first
     * @param data row-major unsigned bytes
     */
    public record Tensor(int[] dims, byte[] data) {}

    private Idx() {}

    /**
     * Reads an IDX ubyte file with {@code expectedDims} dimensions.
     *
     * @throws IOException naming the file when it is missing, not IDX, of another type, or truncated
     */
    public static Tensor read(Path file, int expectedDims) throws IOException {
        byte[] raw = readAll(file);
        if (raw.length < 4) {
            throw new IOException(file + " is not an IDX file: only " + raw.length + " bytes");
        }
        int magic = beInt(raw, 0);
        if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xFF) != UBYTE) {
            throw new IOException(file + " is not an IDX ubyte file: magic 0x" + Integer.toHexString(magic)
                    + ", expected 0x000008" + String.format("%02x", expectedDims));
        }
        int d = magic & 0xFF;
        if (d != expectedDims) {
            throw new IOException(file + " has " + d + " dimensions, expected " + expectedDims);
        }
        int header = 4 + 4 * d;
        if (raw.length < header) {
            throw new IOException(file + " is truncated: its header needs " + header + " bytes, the file has " + raw.length);
        }
        int[] dims = new int[d];
        long size = 1;
        for (int i = 0; i < d; i++) {
            dims[i] = beInt(raw, 4 + 4 * i);
            if (dims[i] <= 0) {
                throw new IOException(file + " declares dimension " + i + " of size " + dims[i]);
            }
            size *= dims[i];
        }
        if (raw.length - header != size) {
            throw new IOException(file + " is " + (raw.length - header < size ? "truncated" : "too long") + ": header declares "
                    + size + " data bytes, the file holds " + (raw.length - header));
        }
        byte[] data = new byte[(int) size];
        System.arraycopy(raw, header, data, 0, data.length);
        return new Tensor(dims, data);
    }

    private static byte[] readAll(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " does not exist or is not a file");
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
                    in.transferTo(out);
                    return out.toByteArray();
                } catch (EOFException e) {
                    throw new IOException(file + " is a truncated gzip file (unexpected end of the compressed data)", e);
                } catch (ZipException e) {
                    throw new IOException(file + " is a corrupt gzip file: " + e.getMessage(), e);
                }
            }
            return raw.readAllBytes();
        }
    }

    private static int beInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }
}
