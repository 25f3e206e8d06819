package io.diffusion4j.eval;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {
    private static Gaussian gaussian(double[] mean, double[][] cov) {
        return new Gaussian(mean, cov, 1000);
    }

    @Test
    void frechetOfTheIssuesDiagonalCaseIsSeven() {
        // ‖μ₁−μ₂‖² = 1 + 4, tr Σ₁ + tr Σ₂ = 5 + 13, 2·tr√(Σ₁Σ₂) = 2·(2 + 6): 5 + 18 − 16 = 7 (by hand)
        double fd = FrechetDistance.between(gaussian(new double[] {0, 0}, new double[][] {{1, 0}, {0, 4}}),
                gaussian(new double[] {1, 2}, new double[][] {{4, 0}, {0, 9}}));
        assertEquals(7.0, fd, 1e-12);
    }

    @Test
    void frechetOfANonCommutingPairMatchesTheCharacteristicPolynomialRoute() {
        double[][] s1 = {{2.0, 0.6, -0.3}, {0.6, 1.5, 0.4}, {-0.3, 0.4, 1.0}};
        double[][] s2 = {{1.0, -0.5, 0.2}, {-0.5, 3.0, 0.7}, {0.2, 0.7, 0.8}};
        double[] m1 = {0.1, -0.2, 0.3};
        double[] m2 = {-0.4, 0.5, 0.0};
        // Independent route: tr√(√Σ₁Σ₂√Σ₁) = Σ√λ_i(Σ₁Σ₂), the eigenvalues of the (non-symmetric) product
        // from its characteristic polynomial λ³ − c₂λ² + c₁λ − c₀, solved by Viète's trigonometric formula.
        double[][] p = FrechetDistance.multiply(s1, s2);
        double c2 = p[0][0] + p[1][1] + p[2][2];
        double c1 = p[0][0] * p[1][1] - p[0][1] * p[1][0] + p[0][0] * p[2][2] - p[0][2] * p[2][0] + p[1][1] * p[2][2] - p[1][2] * p[2][1];
        double c0 = p[0][0] * (p[1][1] * p[2][2] - p[1][2] * p[2][1]) - p[0][1] * (p[1][0] * p[2][2] - p[1][2] * p[2][0])
                + p[0][2] * (p[1][0] * p[2][1] - p[1][1] * p[2][0]);
        double a = -c2;
        double b = c1;
        double c = -c0;
        double q = (a * a - 3 * b) / 9;
        double r = (2 * a * a * a - 9 * a * b + 27 * c) / 54;
        double theta = Math.acos(r / Math.sqrt(q * q * q));
        double rootSum = 0;
        for (int k = 0; k < 3; k++) {
            double lambda = -2 * Math.sqrt(q) * Math.cos((theta + 2 * Math.PI * k) / 3) - a / 3;
            rootSum += Math.sqrt(lambda);
        }
        double meanTerm = 0;
        for (int i = 0; i < 3; i++) {
            meanTerm += (m1[i] - m2[i]) * (m1[i] - m2[i]);
        }
        double expected = meanTerm + c2Trace(s1) + c2Trace(s2) - 2 * rootSum;
        assertEquals(expected, FrechetDistance.between(gaussian(m1, s1), gaussian(m2, s2)), 1e-10);
        assertEquals(FrechetDistance.between(gaussian(m1, s1), gaussian(m2, s2)),
                FrechetDistance.between(gaussian(m2, s2), gaussian(m1, s1)), 1e-10, "symmetric");
    }

    private static double c2Trace(double[][] m) {
        return m[0][0] + m[1][1] + m[2][2];
    }

    @Test
    void frechetOfASetWithItselfIsZero() {
        double[][] x = sample(500, 6, 0.0, 1.0, 1);
        assertEquals(0.0, FrechetDistance.between(x, x), 1e-9);
    }

    @Test
    void kidOfTwoSamplesOfOneDistributionIsZeroWithinItsSpread() {
        double[][] x = sample(600, 8, 0.0, 1.0, 2);
        double[][] y = sample(600, 8, 0.0, 1.0, 3);
        Kid same = Kid.of(x, y, 20, 200, 0);
        assertTrue(Math.abs(same.mean()) < 3 * same.std() + 1e-3, same.toString());
        Kid shifted = Kid.of(x, sample(600, 8, 0.5, 1.0, 4), 20, 200, 0);
        assertTrue(shifted.mean() > 5 * shifted.std(), shifted.toString());
    }

    @Test
    void precisionAndRecallAreOneOnIdenticalSetsAndDropWhenModesAreMissing() {
        double[][] x = sample(300, 4, 0.0, 1.0, 5);
        PrecisionRecall same = PrecisionRecall.of(x, x, 3);
        assertEquals(1.0, same.precision(), 0);
        assertEquals(1.0, same.recall(), 0);
        // generated points all near one corner: precise but without recall
        double[][] collapsed = sample(300, 4, 0.0, 0.05, 6);
        PrecisionRecall pr = PrecisionRecall.of(x, collapsed, 3);
        assertTrue(pr.precision() > 0.9, pr.toString());
        assertTrue(pr.recall() < 0.2, pr.toString());
    }

    @Test
    void slicedWassersteinAndMmdSeparateShiftedClouds() {
        double[][] x = sample(1000, 2, 0.0, 1.0, 7);
        double[][] y = sample(1000, 2, 0.0, 1.0, 8);
        double[][] z = sample(1000, 2, 1.0, 1.0, 9);
        double sameSw = TwoSampleMetrics.slicedWasserstein(x, y, 64, 0);
        double shiftSw = TwoSampleMetrics.slicedWasserstein(x, z, 64, 0);
        assertTrue(sameSw < 0.15, "floor " + sameSw);
        // a shift by (1, 1) projects to cos θ·1 + sin θ·1; its RMS over directions is 1
        assertEquals(1.0, shiftSw, 0.15);
        assertTrue(TwoSampleMetrics.rbfMmd2(x, z, 1.0) > 20 * Math.abs(TwoSampleMetrics.rbfMmd2(x, y, 1.0)));
    }

    @Test
    void badInputsNameTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.between(sample(10, 2, 0, 1, 1), sample(10, 3, 0, 1, 1)));
        assertTrue(e.getMessage().contains("feature dimensions differ: 2 vs 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Gaussian.fit(new double[1][2]));
        assertTrue(e.getMessage().contains("at least 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PrecisionRecall.of(new double[3][2], new double[3][2], 3));
        assertTrue(e.getMessage().contains("more than k=3"), e.getMessage());
    }

    private static double[][] sample(int n, int d, double mean, double std, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double u1 = 1 - rng.nextDouble();
                double u2 = rng.nextDouble();
                out[i][j] = mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
            }
        }
        return out;
    }
}
