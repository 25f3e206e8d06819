package io.diffusion4j.schedule;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expected lists computed with numpy 1.24 from the formulas diffusers' set_timesteps uses (see
 * diffusers-semantics.md), independently of this code: np.arange/np.linspace, .round() (half to even).
 */
class TimestepsTest {
    @Test
    void ddimFamily() {
        assertArrayEquals(new int[] {901, 801, 701, 601, 501, 401, 301, 201, 101, 1}, Timesteps.ddim(Spacing.LEADING, 1000, 10, 1));
        assertArrayEquals(new int[] {999, 899, 799, 699, 599, 499, 399, 299, 199, 99}, Timesteps.ddim(Spacing.TRAILING, 1000, 10, 0));
        assertArrayEquals(new int[] {999, 888, 777, 666, 555, 444, 333, 222, 111, 0}, Timesteps.ddim(Spacing.LINSPACE, 1000, 10, 0));
        assertArrayEquals(new int[] {853, 711, 569, 427, 285, 143, 1}, Timesteps.ddim(Spacing.LEADING, 1000, 7, 1));
        assertArrayEquals(new int[] {999, 856, 713, 570, 428, 285, 142}, Timesteps.ddim(Spacing.TRAILING, 1000, 7, 0));
        // 832.5 → 832, 499.5 → 500, 166.5 → 166: half to even
        assertArrayEquals(new int[] {999, 832, 666, 500, 333, 166, 0}, Timesteps.ddim(Spacing.LINSPACE, 1000, 7, 0));
        assertArrayEquals(new int[] {999, 500, 0}, Timesteps.ddim(Spacing.LINSPACE, 1000, 3, 0));
        assertArrayEquals(new int[] {9, 7, 4, 1}, Timesteps.ddim(Spacing.TRAILING, 10, 4, 0));
        assertArrayEquals(new int[] {15, 12, 10, 7, 4, 2}, Timesteps.ddim(Spacing.TRAILING, 16, 6, 0));
        assertArrayEquals(new int[] {15, 12, 9, 6, 3, 0}, Timesteps.ddim(Spacing.LINSPACE, 16, 6, 0));
    }

    @Test
    void trailingFollowsNumpysArangeRounding() {
        // numpy.arange adds i·((T + step) − T), not T − i·T/N: at N = 48 the fourth value is 936, not 937.
        int[] n48 = {999, 978, 957, 936, 916, 895, 874, 853, 832, 811, 791, 770, 749, 728, 707, 686, 666, 645, 624, 603, 582, 561,
            541, 520, 499, 478, 457, 436, 416, 395, 374, 353, 332, 311, 291, 270, 249, 228, 207, 186, 166, 145, 124, 103, 82, 61, 41, 20};
        assertArrayEquals(n48, Timesteps.ddim(Spacing.TRAILING, 1000, 48, 0));
        assertArrayEquals(n48, Timesteps.dpmSolver(Spacing.TRAILING, 1000, 48, 0));
        int[] n96 = Timesteps.ddim(Spacing.TRAILING, 1000, 96, 0);
        assertEquals(937, n96[6]);
        assertEquals(9, n96[95]);
        assertEquals(61, Timesteps.ddim(Spacing.TRAILING, 1000, 61, 0).length, "numpy's extra −1 entry is dropped");
    }

    @Test
    void dpmSolverFamily() {
        assertArrayEquals(new int[] {999, 899, 799, 699, 599, 500, 400, 300, 200, 100}, Timesteps.dpmSolver(Spacing.LINSPACE, 1000, 10, 0));
        assertArrayEquals(new int[] {900, 810, 720, 630, 540, 450, 360, 270, 180, 90}, Timesteps.dpmSolver(Spacing.LEADING, 1000, 10, 0));
        assertArrayEquals(new int[] {999, 856, 714, 571, 428, 285, 143}, Timesteps.dpmSolver(Spacing.LINSPACE, 1000, 7, 0));
        assertArrayEquals(new int[] {875, 750, 625, 500, 375, 250, 125}, Timesteps.dpmSolver(Spacing.LEADING, 1000, 7, 0));
        assertArrayEquals(new int[] {999, 666, 333}, Timesteps.dpmSolver(Spacing.LINSPACE, 1000, 3, 0));
        assertArrayEquals(new int[] {9, 7, 4, 2}, Timesteps.dpmSolver(Spacing.LINSPACE, 10, 4, 0));
        assertArrayEquals(new int[] {15, 12, 10, 8, 5, 2}, Timesteps.dpmSolver(Spacing.LINSPACE, 16, 6, 0));
        assertArrayEquals(new int[] {12, 10, 8, 6, 4, 2}, Timesteps.dpmSolver(Spacing.LEADING, 16, 6, 0));
    }

    @Test
    void eulerFamilyKeepsFractionalLinspaceTimes() {
        assertArrayEquals(new double[] {999, 832.5, 666, 499.5, 333, 166.5, 0}, Timesteps.euler(Spacing.LINSPACE, 1000, 7, 0), 0);
        double[] t50 = Timesteps.euler(Spacing.LINSPACE, 1000, 50, 0);
        assertEquals(978.6122436523438, t50[1], 0, "float32 value of numpy's linspace");
        assertEquals(20.387754440307617, t50[48], 0);
        assertArrayEquals(new double[] {852, 710, 568, 426, 284, 142, 0}, Timesteps.euler(Spacing.LEADING, 1000, 7, 0), 0);
        assertArrayEquals(new double[] {999, 856, 713, 570, 428, 285, 142}, Timesteps.euler(Spacing.TRAILING, 1000, 7, 0), 0);
    }

    @Test
    void everyListIsStrictlyDecreasingNonNegativeAndOfLengthN() {
        for (int trainSteps : new int[] {10, 16, 100, 1000}) {
            for (int n = 1; n <= Math.min(trainSteps, 60); n++) {
                for (Spacing s : Spacing.values()) {
                    check(Timesteps.ddim(s, trainSteps, n, 0), trainSteps, n);
                    if (2 * n <= trainSteps) {   // diffusers' DPM lists repeat timesteps as N approaches T
                        check(Timesteps.dpmSolver(s, trainSteps, n, 0), trainSteps, n);
                    }
                    double[] e = Timesteps.euler(s, trainSteps, n, 0);
                    assertEquals(n, e.length);
                    for (int i = 1; i < n; i++) {
                        assertTrue(e[i] < e[i - 1]);
                    }
                }
                assertEquals(trainSteps - 1, Timesteps.ddim(Spacing.TRAILING, trainSteps, n, 0)[0], "trailing starts at T-1");
            }
        }
    }

    private static void check(int[] ts, int trainSteps, int n) {
        assertEquals(n, ts.length);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            assertTrue(ts[i] >= 0 && ts[i] < trainSteps, "in range: " + ts[i]);
            assertTrue(seen.add(ts[i]), "no duplicates");
            if (i > 0) {
                assertTrue(ts[i] < ts[i - 1], "decreasing");
            }
        }
    }

    @Test
    void badStepCountsAreRefusedWithTheirLimits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Timesteps.ddim(Spacing.LEADING, 1000, 0, 0));
        assertTrue(e.getMessage().contains("steps must be > 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Timesteps.ddim(Spacing.LEADING, 1000, -3, 0));
        assertTrue(e.getMessage().contains("-3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Timesteps.dpmSolver(Spacing.LINSPACE, 1000, 1001, 0));
        assertTrue(e.getMessage().contains("<= num_train_timesteps (1000)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Timesteps.ddim(Spacing.LEADING, 1000, 1000, 1));
        assertTrue(e.getMessage().contains("steps_offset=1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Spacing.fromName("uniform"));
        assertTrue(e.getMessage().contains("leading, trailing, linspace"), e.getMessage());
    }
}
