package io.diffusion4j.schedule;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ContinuousSchedulesTest {
    @Test
    void rectifiedFlowIsLinearInterpolation() {
        RectifiedFlow rf = new RectifiedFlow();
        for (double t : new double[] {0.1, 0.5, 0.9}) {
            assertEquals(1 - t, rf.alpha(t), 0);
            assertEquals(t, rf.sigma(t), 0);
            assertEquals((1 - t) * (1 - t) / (t * t), rf.snr(t), 1e-12);
            assertEquals(2 * Math.log((1 - t) / t), rf.logSnr(t), 1e-12);
            NoiseLevel l = rf.atVeSigma(t / (1 - t));
            assertEquals(t, l.t(), 1e-15);
        }
    }

    @Test
    void flowShiftIsSd3sFormula() {
        RectifiedFlow rf = new RectifiedFlow(3.0);
        assertEquals(3 * 0.5 / (1 + 2 * 0.5), rf.shifted(0.5), 1e-15);   // = 0.75
        assertEquals(1.0, rf.shifted(1.0), 1e-15);
        assertEquals(0.0, rf.shifted(0.0), 0);
        assertThrows(IllegalArgumentException.class, () -> new RectifiedFlow(0));
    }

    @Test
    void karrasRampEndsAtItsBoundsAndIsLinearForRhoOne() {
        double[] s = KarrasSigmas.EDM.sigmas(5);
        assertEquals(80.0, s[0], 1e-12);
        assertEquals(0.002, s[4], 1e-15);
        // ρ = 1: σ_i = σ_max + i/(n−1)(σ_min − σ_max), a straight line.
        assertArrayEquals(new double[] {10, 7.75, 5.5, 3.25, 1}, KarrasSigmas.ramp(1, 10, 1, 5), 1e-12);
        // ρ = 7, n = 3: middle = ((80^(1/7) + 0.002^(1/7))/2)^7, by hand.
        double mid = Math.pow((Math.pow(80, 1 / 7.0) + Math.pow(0.002, 1 / 7.0)) / 2, 7);
        assertEquals(mid, KarrasSigmas.EDM.sigmas(3)[1], 1e-12);
        assertEquals(1.0, KarrasSigmas.EDM.alpha(3.0), 0);
        assertThrows(IllegalArgumentException.class, () -> new KarrasSigmas(1, 0.5, 7));
    }
}
