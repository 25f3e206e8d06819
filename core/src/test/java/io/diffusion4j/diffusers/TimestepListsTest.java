package io.diffusion4j.diffusers;

import com.google.gson.JsonArray;
import io.diffusion4j.diffusers.DiffusersFixtures.DiffusersCase;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.cases;
import static io.diffusion4j.diffusers.DiffusersFixtures.scheduler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The timesteps of every scheduler class this port offers, for several (T, N) pairs (including numpy's
 * half-to-even rounding and arange cases: T = 1000 with N = 7 and 48, T = 1100, T = 16), every spacing,
 * {@code steps_offset}, Karras σ and flow shift, against the lists diffusers' own {@code set_timesteps}
 * produced ({@code timesteps.json}, made by {@code timesteps-gen.py}, both among this test's resources).
 * Configurations this port refuses must be refused with a message, and only those listed here.
 */
class TimestepListsTest {
    /** Refused on purpose: class → a fragment of the refusal message. */
    private static final Map<String, String> REFUSED = Map.of(
            "PNDMScheduler", "use leading");  // PNDM steps t -> t - T div N: only evenly spaced lists

    @Test
    void everyClassGivesDiffusersTimesteps() throws Exception {
        List<DiffusersCase> cases = cases("timesteps.json");
        List<String> wrong = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        int matched = 0;
        for (DiffusersCase c : cases) {
            String cls = c.className();
            Map<String, Object> config = c.config();
            int steps = c.steps();
            String what = cls + " " + config + " N=" + steps;
            double[] ours;
            try {
                ours = scheduler(cls, config).setTimesteps(steps).timesteps();
            } catch (IllegalArgumentException ex) {
                String allowed = REFUSED.get(cls);
                if (allowed == null || !ex.getMessage().contains(allowed)) {
                    wrong.add(what + ": refused: " + ex.getMessage());
                } else {
                    refused.add(what);
                }
                continue;
            }
            JsonArray expected = c.json().getAsJsonArray("timesteps");
            boolean same = expected.size() == ours.length;
            for (int i = 0; same && i < ours.length; i++) {
                double x = expected.get(i).getAsDouble();
                same = Math.abs(ours[i] - x) <= 1e-3 * Math.max(1, Math.abs(x));
            }
            if (same) {
                matched++;
            } else {
                wrong.add(what + ": ours " + Arrays.toString(ours) + " diffusers " + expected);
            }
        }
        System.out.printf("timesteps: %d configurations match diffusers, %d refused on purpose, %d wrong%n", matched, refused.size(),
                wrong.size());
        refused.forEach(r -> System.out.println("  refused: " + r));
        wrong.forEach(w -> System.out.println("  WRONG: " + w));
        assertTrue(wrong.isEmpty(), wrong.size() + " configurations differ from diffusers; first: " + (wrong.isEmpty() ? "" : wrong.get(0)));
        assertTrue(matched > 250, "most configurations are compared: " + matched);
        assertEquals(cases.size(), matched + refused.size());
    }
}
