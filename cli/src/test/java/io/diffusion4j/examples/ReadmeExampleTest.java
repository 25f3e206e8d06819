package io.diffusion4j.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeShowsExactlyTheCompiledExample() throws Exception {
        String source = Files.readString(Path.of("src/test/java/io/diffusion4j/examples/ReadmeExample.java"));
        String body = source.substring(source.indexOf("// README-BEGIN") + "// README-BEGIN".length(), source.indexOf("// README-END"));
        String readme = Files.readString(Path.of("../README.md"));
        for (String line : body.strip().split("\n")) {
            assertTrue(readme.contains(line.strip()), "README.md lacks the example line: " + line.strip());
        }
    }

    @Test
    void theExampleRuns() throws Exception {
        Path model = io.diffusion4j.cli.TinyModels.conditional(dir.resolve("model"), 4);
        Path png = dir.resolve("four.png");
        ReadmeExample.run(model, png);
        assertNotNull(ImageIO.read(png.toFile()));
        assertTrue(List.of(dir.toFile().list()).contains("four.png"));
    }
}
