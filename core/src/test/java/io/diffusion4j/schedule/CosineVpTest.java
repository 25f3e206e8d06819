package io.diffusion4j.schedule;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link CosineVp} against closed forms (values of cos and sin at multiples of π/6 and π/4, by hand). */
class CosineVpTest {
    private static final CosineVp COS = new CosineVp();

    @Test
    void levelsAreCosineAndSineOfTheQuarterTurn() {
        // t = 1/3: πt/2 = π/6; t = 1/2: π/4; t = 2/3: π/3
        assertEquals(Math.sqrt(3) / 2, COS.alpha(1 / 3.0), 1e-15);
        assertEquals(0.5, COS.sigma(1 / 3.0), 1e-15);
        assertEquals(Math.sqrt(0.5), COS.alpha(0.5), 1e-15);
        assertEquals(Math.sqrt(0.5), COS.sigma(0.5), 1e-15);
        assertEquals(0.5, COS.alpha(2 / 3.0), 1e-15);
        assertEquals(Math.sqrt(3) / 2, COS.sigma(2 / 3.0), 1e-15);
        for (double t = 0; t <= 1; t += 0.125) {
            NoiseLevel l = COS.level(t);
            assertEquals(1.0, l.alpha() * l.alpha() + l.sigma() * l.sigma(), 1e-15, "variance preserving at t = " + t);
        }
    }

    @Test
    void endsAreExact() {
        assertEquals(1.0, COS.alpha(0), 0);
        assertEquals(0.0, COS.sigma(0), 0);
        assertEquals(0.0, COS.alpha(1), 0, "pure noise at t = 1, not cos(Math.PI/2) = 6e-17");
        assertEquals(1.0, COS.sigma(1), 0);
        assertEquals(new NoiseLevel(1, 0, 1), COS.atVeSigma(Double.POSITIVE_INFINITY));
        assertEquals(0.0, COS.atVeSigma(0).t(), 0);
    }

    @Test
    void snrAndItsInverse() {
        // SNR = cot²(πt/2): 3 at t = 1/3, 1/3 at t = 2/3
        assertEquals(3.0, COS.snr(1 / 3.0), 1e-12);
        assertEquals(Math.log(3), COS.logSnr(1 / 3.0), 1e-12);
        assertEquals(-Math.log(3), COS.logSnr(2 / 3.0), 1e-12);
        // σ/α = tan(πt/2): 1 at t = 1/2, √3 at t = 2/3
        NoiseLevel half = COS.atVeSigma(1.0);
        assertEquals(0.5, half.t(), 1e-15);
        assertEquals(Math.sqrt(0.5), half.alpha(), 1e-15);
        assertEquals(2 / 3.0, COS.atVeSigma(Math.sqrt(3)).t(), 1e-15);
        assertEquals(2 / 3.0, CosineVp.timeOf(0.5, Math.sqrt(3) / 2), 1e-15);
        assertEquals(1.0, CosineVp.timeOf(0, 1), 0);
    }

    @Test
    void timesOutsideTheUnitIntervalAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> COS.level(1.5));
        assertEquals("t must be in [0.0, 1.0], got 1.5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> COS.atVeSigma(-1));
    }
}
