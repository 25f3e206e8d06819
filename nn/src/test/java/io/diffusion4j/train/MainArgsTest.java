package io.diffusion4j.train;

import org.junit.jupiter.api.Test;

import java.nio.file.Paths;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainArgsTest {
    private static final List<String> ALLOWED = List.of("steps", "lr", "out");

    @Test
    void readsGivenValuesAndFallsBackToDefaults() {
        MainArgs a = MainArgs.parse(new String[] {"--steps", "30000", "--lr", "2e-4"}, ALLOWED);
        assertEquals(30_000L, a.whole("steps", 1));
        assertEquals(30_000, a.integer("steps", 1));
        assertEquals(2e-4, a.number("lr", 1));
        assertEquals(Paths.get("runs/x"), a.path("out", Paths.get("runs/x")));
        assertEquals("d", a.string("out", "d"));
    }

    @Test
    void namesTheAllowedOptionsAndTheBadValue() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> MainArgs.parse(new String[] {"--step", "3"}, ALLOWED));
        assertTrue(unknown.getMessage().contains("unknown option --step; allowed: --steps, --lr, --out"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MainArgs.parse(new String[] {"--steps"}, ALLOWED));
        assertThrows(IllegalArgumentException.class, () -> MainArgs.parse(new String[] {"steps", "3"}, ALLOWED));
        MainArgs bad = MainArgs.parse(new String[] {"--steps", "1e3"}, ALLOWED);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bad.whole("steps", 0));
        assertEquals("--steps must be a whole number, got '1e3'", e.getMessage());
    }
}
