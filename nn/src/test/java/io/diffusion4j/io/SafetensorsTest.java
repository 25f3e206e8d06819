package io.diffusion4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** The layout of the safetensors spec, read back by hand: u64 LE header size, JSON header, LE data. */
    @Test
    void writesTheSpecLayout() throws IOException {
        Path f = dir.resolve("t.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Safetensors.write(f, Map.of("b", m.create(new float[] {1.5f, -2f}), "a", m.create(new float[] {3, 4, 5, 6}, new Shape(2, 2))),
                    Map.of("k", "v"));
        }
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong();
        assertEquals(0, (8 + n) % 8);
        JsonObject header = JsonParser.parseString(new String(bytes, 8, (int) n, StandardCharsets.UTF_8).trim()).getAsJsonObject();
        assertEquals("F32", header.getAsJsonObject("a").get("dtype").getAsString());
        assertEquals("[2,2]", header.getAsJsonObject("a").get("shape").toString());
        assertEquals("[0,16]", header.getAsJsonObject("a").get("data_offsets").toString());
        assertEquals("[16,24]", header.getAsJsonObject("b").get("data_offsets").toString());
        assertEquals("v", header.getAsJsonObject("__metadata__").get("k").getAsString());
        bb.position((int) (8 + n + 16));
        assertEquals(1.5f, bb.getFloat());
        assertEquals(-2f, bb.getFloat());
        assertEquals(bytes.length, 8 + n + 24);
    }

    @Test
    void roundTripAndTruncation() throws IOException {
        Path f = dir.resolve("t.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(3, 4, 5));
            Safetensors.write(f, Map.of("x", x), Map.of());
            Safetensors.Contents c = Safetensors.read(f, m);
            assertArrayEquals(x.toFloatArray(), c.tensors().get("x").toFloatArray(), 0f);
            assertEquals(x.getShape(), c.tensors().get("x").getShape());

            byte[] all = Files.readAllBytes(f);
            Files.write(f, Arrays.copyOf(all, all.length - 10));
            IOException e = assertThrows(IOException.class, () -> Safetensors.read(f, m));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("truncated"), e.getMessage());
            Files.write(f, Arrays.copyOf(all, 5));
            e = assertThrows(IOException.class, () -> Safetensors.read(f, m));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }
}
