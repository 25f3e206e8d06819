package io.diffusion4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertOneLineError(Run r, int code, String fragment) {
        assertEquals(code, r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("error: "), err);
        assertTrue(err.contains(fragment), err);
        assertFalse(err.contains("Exception"), "no exception class names: " + err);
    }

    @Test
    void writesAScatterPng() throws Exception {
        Path png = dir.resolve("demo.png");
        Run r = run("demo", "--count", "200", "--steps", "8", "--out", png.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img);
        assertEquals(840, img.getWidth());
        assertTrue(r.out().contains("wrote"), r.out());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void badUsageIsOneLineAndExitTwo() {
        Path png = dir.resolve("x.png");
        assertOneLineError(run("demo", "--sampler", "dpm-fast", "--out", png.toString()), 2, "unknown sampler 'dpm-fast'; choose one of ddpm, ddim,");
        assertOneLineError(run("demo", "--steps", "-3", "--out", png.toString()), 2, "--steps must be in 1..1000, got -3");
        assertOneLineError(run("demo", "--eta", "-1", "--out", png.toString()), 2, "--eta must be a finite number >= 0");
        assertOneLineError(run("demo", "--bogus"), 2, "Unknown option: '--bogus'");
        assertOneLineError(run("demo", "--steps", "many"), 2, "'many' is not an int");
        assertOneLineError(run("demo", "--sampler", "flow-euler", "--eta", "0.5", "--out", png.toString()), 2, "eta applies to ddim and euler-a only");
        assertOneLineError(run(), 2, "a command is required");
        assertFalse(Files.exists(png));
    }

    @Test
    void existingOutputNeedsForceAndUnwritableOutputFails() throws Exception {
        Path png = dir.resolve("taken.png");
        Files.writeString(png, "keep me");
        assertOneLineError(run("demo", "--count", "10", "--steps", "2", "--out", png.toString()), 2, "exists; add --force");
        assertEquals("keep me", Files.readString(png));
        assertEquals(0, run("demo", "--count", "10", "--steps", "2", "--out", png.toString(), "--force").code());
        assertOneLineError(run("demo", "--out", dir.resolve("missing/x.png").toString()), 1, "does not exist");
    }
}
