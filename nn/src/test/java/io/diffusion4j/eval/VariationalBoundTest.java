package io.diffusion4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.GaussianMixtureDenoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VariationalBoundTest {
    private static final DiscreteVp VP = DiscreteVp.defaults();

    @Test
    void erfcMatchesTabulatedValues() {
        // values from A&S Table 7.1 / mpmath to 16 digits
        assertEquals(0.4795001221869535, Erf.erfc(0.5), 1e-15);
        assertEquals(1.0, Erf.erfc(0.0), 0);
        assertEquals(1.5204998778130465, Erf.erfc(-0.5), 1e-15);
        assertEquals(2.209049699858544e-05, Erf.erfc(3.0), 1e-19);
        assertEquals(2.088487583762545e-45, Erf.erfc(10.0), 1e-58);
    }

    @Test
    void gaussianKlByHand() {
        assertEquals(0.0, VariationalBound.gaussianKl(0.3, 2.0, 0.3, 2.0), 1e-15);
        // KL(N(1, 1) ‖ N(0, 4)) = ½(ln 4 + 1/4 + 1/4 − 1)
        assertEquals(0.5 * (Math.log(4) + 0.25 + 0.25 - 1), VariationalBound.gaussianKl(1, 1, 0, 4), 1e-15);
    }

    @Test
    void pointMassDataHasOnlyPriorAndDecoderTermsInClosedForm() {
        // All data at one grid value c: the exact denoiser returns c at every t, so every posterior KL is 0.
        double c = 2 * 100 / 255.0 - 1;
        int dims = 6;
        double[] mean = new double[dims];
        Arrays.fill(mean, c);
        GaussianMixtureDenoiser exact = new GaussianMixtureDenoiser(new double[][] {mean}, new double[] {0}, new double[] {1});
        try (NDManager m = NDManager.newBaseManager()) {
            float[] data = new float[2 * dims];
            Arrays.fill(data, (float) c);
            NDArray x0 = m.create(data, new Shape(2, dims));
            VariationalBound.Terms terms = new VariationalBound(VP, exact, true).evaluate(x0, Conditioning.NONE, 50, new NoiseSource(0), 0);
            double abT = VP.alphaBar(999);
            double cf = (float) c;
            double prior = dims * 0.5 * (-1 - Math.log(1 - abT) + (1 - abT) + abT * cf * cf);
            double std = Math.sqrt(VP.posteriorVariance(1));
            double bin = 1 / 255.0;
            double decoder = -dims * Math.log(0.5 * Erf.erfc(-bin / std / Math.sqrt(2)) - 0.5 * Erf.erfc(bin / std / Math.sqrt(2)));
            for (int i = 0; i < 2; i++) {
                assertEquals(prior, terms.prior()[i], 1e-9);
                assertEquals(0.0, terms.diffusion()[i], 1e-6);
                assertEquals(decoder, terms.decoder()[i], 1e-4);
            }
            assertEquals((prior + decoder) / (dims * Math.log(2)), terms.meanBitsPerDim(), 1e-4);
        }
    }

    @Test
    void sampledSumOverTAgreesWithTheExhaustiveSumWithinItsSpread() {
        GaussianMixtureDenoiser exact = GaussianMixtureDenoiser.gaussian(4, 0.1, 0.4);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = new NoiseSource(3).normal(m, new Shape(4), 0, 16, 0).mul(0.4).add(0.1).clip(-1, 1).mul(127.5).round().div(127.5);
            VariationalBound bound = new VariationalBound(VP, exact, true);
            double full = mean(bound.evaluate(x0, Conditioning.NONE, 999, new NoiseSource(1), 0).diffusion());
            double[] estimates = new double[8];
            for (int s = 0; s < estimates.length; s++) {
                estimates[s] = mean(bound.evaluate(x0, Conditioning.NONE, 100, new NoiseSource(1), 10 + s).diffusion());
            }
            double mu = mean(estimates);
            double sd = 0;
            for (double e : estimates) {
                sd += (e - mu) * (e - mu) / (estimates.length - 1);
            }
            double se = Math.sqrt(sd / estimates.length);
            assertTrue(Math.abs(mu - full) < 4 * se + 1e-9, "sampled " + mu + " ± " + se + " vs exhaustive " + full);
            assertTrue(full > 0, "an exact denoiser of Gaussian data still leaves positive KL terms: " + full);
        }
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d / v.length;
        }
        return s;
    }
}
