package io.diffusion4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length n, n bytes of JSON
 * {@code {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}}
 * (padded with spaces to a multiple of 8), then the raw little-endian tensor bytes, offsets relative
 * to the end of the header. We write float32 ({@code F32}) tensors in key order and read F32 back;
 * every inconsistency is reported with the file name.
 */
public final class Safetensors {
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {}

    /** Writes {@code tensors} (converted to float32) and string {@code metadata} to {@code file}, then forces it to disk. */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        Map<String, NDArray> sorted = new TreeMap<>(tensors);
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : sorted.entrySet()) {
            Shape s = e.getValue().getShape();
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (long d : s.getShape()) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += 4 * s.size();
            offsets.add(offset);
            t.add("data_offsets", offsets);
            header.add(e.getKey(), t);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeFully(ch, head);
            for (NDArray a : sorted.values()) {
                ByteBuffer data = a.toType(DataType.FLOAT32, false).toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                    throw new IOException("big-endian hosts are not supported");
                }
                writeFully(ch, data);
            }
            ch.force(true);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** A file's tensors (float32, owned by {@code manager}) and metadata. */
    public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) {}

    /**
     * Reads an F32 safetensors file.
     *
     * @throws IOException naming the file when it is truncated, its header is not valid JSON, a
     *     tensor is not F32, or offsets do not match shapes
     */
    public static Contents read(Path file, NDManager manager) throws IOException {
        long fileSize = Files.size(file);
        if (fileSize < 8) {
            throw new IOException(file + " is truncated: " + fileSize + " bytes, a safetensors file has at least 8");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, file);
            long n = len.flip().getLong();
            if (n < 2 || n > MAX_HEADER || 8 + n > fileSize) {
                throw new IOException(file + " is corrupt or truncated: header length " + n + " with a file of " + fileSize + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(ch, hb, file);
            JsonObject header;
            try {
                header = JsonParser.parseString(new String(hb.array(), StandardCharsets.UTF_8).trim()).getAsJsonObject();
            } catch (RuntimeException e) {
                throw new IOException(file + " has a corrupt header (not a JSON object): " + e.getMessage(), e);
            }
            long dataSize = fileSize - 8 - n;
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            long base = 8 + n;
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().getAsJsonObject().entrySet().forEach(m -> meta.put(m.getKey(), m.getValue().getAsString()));
                    continue;
                }
                tensors.put(e.getKey(), readTensor(ch, file, e.getKey(), e.getValue().getAsJsonObject(), base, dataSize, manager));
            }
            return new Contents(tensors, meta);
        }
    }

    private static NDArray readTensor(FileChannel ch, Path file, String name, JsonObject t, long base, long dataSize,
                                      NDManager manager) throws IOException {
        String dtype = t.get("dtype").getAsString();
        if (!dtype.equals("F32")) {
            throw new IOException(file + ": tensor " + name + " has dtype " + dtype + "; only F32 is supported");
        }
        JsonArray shapeJson = t.getAsJsonArray("shape");
        long[] dims = new long[shapeJson.size()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shapeJson.get(i).getAsLong();
            count *= dims[i];
        }
        JsonArray off = t.getAsJsonArray("data_offsets");
        long begin = off.get(0).getAsLong();
        long end = off.get(1).getAsLong();
        if (end - begin != 4 * count || begin < 0) {
            throw new IOException(file + ": tensor " + name + " has offsets [" + begin + ", " + end + "] that do not hold shape "
                    + new Shape(dims) + " of F32");
        }
        if (end > dataSize) {
            throw new IOException(file + " is truncated: tensor " + name + " ends at data byte " + end + ", the file holds " + dataSize);
        }
        ByteBuffer data = ByteBuffer.allocateDirect((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        ch.position(base + begin);
        readFully(ch, data, file);
        data.flip();
        return manager.create(data.asFloatBuffer(), new Shape(dims));
    }

    private static void readFully(FileChannel ch, ByteBuffer b, Path file) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException(file + " is truncated");
            }
        }
    }
}
