package io.diffusion4j.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MetricsLogTest {
    @TempDir
    Path dir;

    /** What a run killed mid-write leaves: steps past its last checkpoint and a partial last line. */
    @Test
    void continuesAtTheCheckpointDroppingLaterAndPartialLines() throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "{\"step\":1,\"loss\":0.5}\n{\"step\":2,\"loss\":0.4}\n{\"step\":3,\"loss\":0.3}\n{\"step\":4,\"loss\":0.2}\n"
                + "{\"step\":5,\"loss\":0.1,\"lr\":", StandardCharsets.UTF_8);
        try (MetricsLog log = MetricsLog.openAt(file, 2)) {
            log.log(new Trainer.StepResult(3, 0.25, 1e-4, 0.1, false, 0.5), 10.0);
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertEquals("{\"step\":1,\"loss\":0.5}", lines.get(0));
        assertEquals("{\"step\":2,\"loss\":0.4}", lines.get(1));
        assertEquals(true, lines.get(2).startsWith("{\"step\":3,\"loss\":0.25"), lines.get(2));
    }

    @Test
    void aFreshRunStartsAnEmptyLog() throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "{\"step\":1,\"loss\":0.5}\n", StandardCharsets.UTF_8);
        try (MetricsLog log = MetricsLog.openAt(file, 0)) {
            log.flush();
        }
        assertEquals(0, Files.readAllLines(file, StandardCharsets.UTF_8).size());
    }
}
