package io.diffusion4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    @TempDir
    Path root;

    private static Map<String, Map<String, NDArray>> groups(NDManager m, float value) {
        return Map.of("model", Map.of("a.weight", m.full(new Shape(2, 3), value), "a.bias", m.full(new Shape(3), -value)),
                "ema", Map.of("a.weight", m.full(new Shape(2, 3), value / 2), "a.bias", m.zeros(new Shape(3))));
    }

    private static JsonObject state(String tag) {
        JsonObject s = new JsonObject();
        s.addProperty("tag", tag);
        return s;
    }

    @Test
    void roundTripAndKeepLastK() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            for (int step = 1; step <= 4; step++) {
                Checkpoint.write(root, step * 10, groups(m, step), state("s" + step), 2);
            }
            List<Path> kept = Checkpoint.list(root);
            assertEquals(List.of(root.resolve("step-00000040"), root.resolve("step-00000030")), kept);
            try (Checkpoint.Loaded c = Checkpoint.read(kept.get(0), m)) {
                assertEquals(40, c.step());
                assertEquals("s4", c.state().get("tag").getAsString());
                assertEquals(4f, c.groups().get("model").get("a.weight").getFloat(1, 2));
                assertEquals(-4f, c.groups().get("model").get("a.bias").getFloat(0));
            }
        }
    }

    /** A checkpoint write that dies midway leaves no new directory, no temporary files, and the previous one loadable. */
    @Test
    void failedWriteLeavesThePreviousCheckpoint() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint.write(root, 5, groups(m, 1), state("good"), 3);
            for (String failAt : new String[] {"ema.safetensors", Checkpoint.STATE_FILE}) {
                IOException e = assertThrows(IOException.class, () -> Checkpoint.write(root, 9, groups(m, 2), state("bad"), 3,
                        name -> {
                            if (name.equals(failAt)) {
                                throw new IOException("simulated crash before " + name);
                            }
                        }));
                assertTrue(e.getMessage().contains("simulated"));
                assertFalse(Files.exists(root.resolve("step-00000009")));
                try (Stream<Path> s = Files.list(root)) {
                    assertEquals(List.of(root.resolve("step-00000005")), s.toList());
                }
                try (Checkpoint.Loaded c = Checkpoint.readLatest(root, m, w -> { }).orElseThrow()) {
                    assertEquals(5, c.step());
                    assertEquals("good", c.state().get("tag").getAsString());
                }
            }
        }
    }

    @Test
    void corruptFilesAreReportedByNameAndSkippedForAnOlderCheckpoint() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint.write(root, 1, groups(m, 1), state("old"), 3);
            Path newest = Checkpoint.write(root, 2, groups(m, 2), state("new"), 3);
            Path model = newest.resolve("model.safetensors");
            try (RandomAccessFile f = new RandomAccessFile(model.toFile(), "rw")) {
                f.seek(f.length() - 3);
                f.write(0x7f);
            }
            IOException e = assertThrows(IOException.class, () -> Checkpoint.read(newest, m));
            assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("corrupt"), e.getMessage());
            StringBuilder warnings = new StringBuilder();
            try (Checkpoint.Loaded c = Checkpoint.readLatest(root, m, warnings::append).orElseThrow()) {
                assertEquals(1, c.step());
            }
            assertTrue(warnings.toString().contains("step-00000002"), warnings.toString());

            Files.writeString(newest.resolve(Checkpoint.STATE_FILE), "{ not json");
            e = assertThrows(IOException.class, () -> Checkpoint.read(newest, m));
            assertTrue(e.getMessage().contains("state.json") && e.getMessage().contains("not valid JSON"), e.getMessage());

            Files.delete(newest.resolve(Checkpoint.STATE_FILE));
            e = assertThrows(IOException.class, () -> Checkpoint.read(newest, m));
            assertTrue(e.getMessage().contains("incomplete"), e.getMessage());
        }
    }
}
