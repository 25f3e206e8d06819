package io.diffusion4j.schedule;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiscreteVpTest {
    private static final int T = 1000;
    private static final DiscreteVp FLOAT64 = new DiscreteVp(DiscreteVp.Config.DEFAULT.withPrecision(TablePrecision.FLOAT64));

    /**
     * β_0, β_1, β_500, β_999 and ᾱ_0, ᾱ_1, ᾱ_499, ᾱ_999 of diffusers' float32 tables, computed with torch
     * 1.13 (torch.linspace in float32, torch.cumprod(1 − β)), independently of this code:
     * linear 1e-4..0.02; scaled_linear 0.00085..0.012; squaredcos_cap_v2; sigmoid 1e-4..0.02.
     */
    private static final double[][][] TORCH_TABLES = {
        {{9.999999747378752e-05, 0.00011991991777904332, 0.010059960186481476, 0.019999999552965164},
         {0.9998999834060669, 0.9997800588607788, 0.07858724147081375, 4.0358307160204276e-05}},
        {{0.0008499999530613422, 0.0008546985918655992, 0.004814954474568367, 0.011999999172985554},
         {0.9991499781608582, 0.9982960224151611, 0.2776694595813751, 0.0046600960195064545}},
        {{4.128422369831242e-05, 4.614175122696906e-05, 0.003155691549181938, 0.9990000128746033},
         {0.9999586939811707, 0.9999125599861145, 0.4938434660434723, 2.4287349909002387e-09}},
        {{0.00014920519606675953, 0.00014979831757955253, 0.010079879313707352, 0.01995079591870308},
         {0.9998508095741272, 0.9997010231018066, 0.3019309937953949, 3.9681821363046765e-05}},
    };

    private static DiscreteVp torchConfig(BetaSchedule b) {
        return b == BetaSchedule.SCALED_LINEAR ? DiscreteVp.of(b, T, 0.00085, 0.012) : DiscreteVp.of(b, T, 1e-4, 0.02);
    }

    @ParameterizedTest
    @EnumSource(BetaSchedule.class)
    void float32TablesMatchTorch(BetaSchedule b) {
        DiscreteVp vp = torchConfig(b);
        double[][] g = TORCH_TABLES[b.ordinal()];
        int[] bt = {0, 1, 500, 999};
        int[] at = {0, 1, 499, 999};
        for (int i = 0; i < 4; i++) {
            // torch's vectorised linspace (lanes of base + j·step) rounds a few elements differently from its
            // scalar formula, which we follow: allow a few float32 ulps in β and in ᾱ.
            assertEquals(g[0][i], vp.beta(bt[i]), 4 * Math.ulp((float) g[0][i]), b + " beta " + bt[i]);
            assertEquals(g[1][i], vp.alphaBar(at[i]), 4 * Math.ulp((float) g[1][i]), b + " alphaBar " + at[i]);
        }
    }

    @Test
    void float64LinearIsTheClosedForm() {
        DiscreteVp vp = new DiscreteVp(DiscreteVp.Config.DEFAULT.withPrecision(TablePrecision.FLOAT64));
        double prod = 1;
        for (int i = 0; i < T; i++) {
            double beta = 1e-4 + i * (0.02 - 1e-4) / (T - 1);     // closed form of the linear schedule
            assertEquals(beta, vp.beta(i), 1e-17);
            prod *= 1 - beta;
            assertEquals(prod, vp.alphaBar(i), 1e-15);
        }
    }

    @Test
    void float64ScaledLinearAndSigmoidAreTheirClosedForms() {
        DiscreteVp scaled = new DiscreteVp(DiscreteVp.Config.DEFAULT.withBetaSchedule(BetaSchedule.SCALED_LINEAR)
                .withBetas(0.00085, 0.012).withPrecision(TablePrecision.FLOAT64));
        DiscreteVp sigmoid = new DiscreteVp(DiscreteVp.Config.DEFAULT.withBetaSchedule(BetaSchedule.SIGMOID).withPrecision(TablePrecision.FLOAT64));
        for (int i : new int[] {0, 1, 500, 999}) {
            double r = Math.sqrt(0.00085) + i * (Math.sqrt(0.012) - Math.sqrt(0.00085)) / (T - 1);
            assertEquals(r * r, scaled.beta(i), 1e-15);
            double z = -6 + 12.0 * i / (T - 1);
            assertEquals(1 / (1 + Math.exp(-z)) * (0.02 - 1e-4) + 1e-4, sigmoid.beta(i), 1e-15);
        }
        // torch float64 values, independently: (linspace(√β₀, √β₁, 1000)²)[500], sigmoid(linspace(−6, 6))[500]
        assertEquals(0.004814954141711878, scaled.beta(500), 1e-15);
        assertEquals(0.010079879790061015, sigmoid.beta(500), 1e-15);
    }

    @Test
    void zeroTerminalSnrKeepsTheVeTableFiniteAsDiffusersDoes() {
        DiscreteVp zsnr = new DiscreteVp(DiscreteVp.Config.DEFAULT.withZeroTerminalSnr(true));
        assertEquals(Math.sqrt((1 - 0x1.0p-24) / 0x1.0p-24), zsnr.veSigmas()[T - 1], 1e-9, "σ_ve,max ≈ 4096");
        assertEquals(0.0, zsnr.alpha(T - 1), 0.0, "ᾱ itself stays exact for DDIM and DDPM");
    }

    @Test
    void float64CosineAlphaBarTelescopesToTheClosedForm() {
        // ∏(1 − β_i) with β_i = 1 − f((i+1)/T)/f(i/T) telescopes to f((t+1)/T)/f(0), Nichol & Dhariwal eq. 17.
        DiscreteVp vp = new DiscreteVp(DiscreteVp.Config.DEFAULT.withBetaSchedule(BetaSchedule.COSINE).withPrecision(TablePrecision.FLOAT64));
        for (int t : new int[] {0, 10, 500, 900, 990}) {
            double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
            double ft = Math.pow(Math.cos(((t + 1.0) / T + 0.008) / 1.008 * Math.PI / 2), 2);
            assertEquals(ft / f0, vp.alphaBar(t), 1e-12, "t=" + t);
        }
        assertEquals(0.999, vp.beta(T - 1), 1e-15, "last beta is clipped");
    }

    @Test
    void alphaSigmaSnrAndLogSnrAgree() {
        DiscreteVp vp = DiscreteVp.defaults();
        for (int t : new int[] {0, 1, 250, 999}) {
            double ab = vp.alphaBar(t);
            assertEquals(Math.sqrt(ab), vp.alpha(t), 1e-15);
            assertEquals(Math.sqrt(1 - ab), vp.sigma(t), 1e-15);
            assertEquals(ab / (1 - ab), vp.snr(t), 1e-9 * vp.snr(t));
            assertEquals(Math.log(ab / (1 - ab)), vp.logSnr(t), 1e-12);
            assertEquals(vp.logSnr(t), vp.level(t).logSnr(), 1e-12);
        }
        for (int t = 1; t < T; t++) {
            assertTrue(vp.logSnr(t) < vp.logSnr(t - 1), "log-SNR decreases");
        }
    }

    @Test
    void fractionalTimesInterpolateTheVeSigmaTable() {
        DiscreteVp vp = DiscreteVp.defaults();
        double s0 = Math.sqrt((1 - vp.alphaBar(10)) / vp.alphaBar(10));
        double s1 = Math.sqrt((1 - vp.alphaBar(11)) / vp.alphaBar(11));
        double s = 0.75 * s0 + 0.25 * s1;
        assertEquals(s, vp.veSigma(10.25), 1e-15);
        assertEquals(1 / Math.sqrt(1 + s * s), vp.alpha(10.25), 1e-15);
        assertEquals(s / Math.sqrt(1 + s * s), vp.sigma(10.25), 1e-15);
        assertEquals(10.0, vp.timeOfVeSigma(s0), 1e-9);
        double mid = Math.exp(0.5 * (Math.log(s0) + Math.log(s1)));
        assertEquals(10.5, vp.timeOfVeSigma(mid), 1e-9);
    }

    @Test
    void posteriorMatchesTheProductOfGaussians() {
        // q(x_{t−1}|x_t,x₀) ∝ N(x_t; √α_t x_{t−1}, β_t) · N(x_{t−1}; √ᾱ_{t−1} x₀, 1−ᾱ_{t−1}): precision adds,
        // mean = variance · (√α_t/β_t · x_t + √ᾱ_{t−1}/(1−ᾱ_{t−1}) · x₀) (Bishop 2006, §2.3.3).
        // Float64 tables: the identity needs ᾱ_t = α_t·ᾱ_{t−1} exactly, which float32 storage breaks.
        DiscreteVp vp = FLOAT64;
        for (int t : new int[] {1, 2, 100, 999}) {
            double beta = vp.beta(t);
            double abPrev = vp.alphaBar(t - 1);
            double var = 1 / ((1 - beta) / beta + 1 / (1 - abPrev));
            assertEquals(var, vp.posteriorVariance(t), 1e-12 * var);
            double[] c = vp.posteriorMeanCoefficients(t);
            assertEquals(var * Math.sqrt(abPrev) / (1 - abPrev), c[0], 1e-12);
            assertEquals(var * Math.sqrt(1 - beta) / beta, c[1], 1e-12);
        }
        assertEquals(0.0, vp.posteriorVariance(0), 0.0);
    }

    @Test
    void vlbWeightIsTheKlOfTheEpsilonParameterisedMeans() {
        // KL(N(μ̃, β̃) ‖ N(μ_θ, β̃)) = |μ̃ − μ_θ|²/(2β̃); both means from the posterior coefficients with
        // x₀ = (x_t − √(1−ᾱ) ε)/√ᾱ, for ε and ε̂ = ε + 1: the weight of ‖ε − ε̂‖² = 1.
        DiscreteVp vp = FLOAT64;
        for (int t : new int[] {1, 50, 500, 999}) {
            double[] c = vp.posteriorMeanCoefficients(t);
            double ab = vp.alphaBar(t);
            double xt = 0.3;
            double mu1 = c[0] * (xt - Math.sqrt(1 - ab) * 0.0) / Math.sqrt(ab) + c[1] * xt;
            double mu2 = c[0] * (xt - Math.sqrt(1 - ab) * 1.0) / Math.sqrt(ab) + c[1] * xt;
            double kl = (mu1 - mu2) * (mu1 - mu2) / (2 * vp.posteriorVariance(t));
            assertEquals(kl, vp.vlbWeight(t), 1e-9 * kl, "t=" + t);
        }
    }

    @Test
    void zeroTerminalSnrRescaling() {
        DiscreteVp plain = DiscreteVp.defaults();
        DiscreteVp zsnr = new DiscreteVp(DiscreteVp.Config.DEFAULT.withZeroTerminalSnr(true).withPrecision(TablePrecision.FLOAT64));
        assertEquals(0.0, zsnr.alphaBar(T - 1), 1e-15, "terminal SNR is zero");
        assertEquals(plain.alphaBar(0), zsnr.alphaBar(0), 1e-7, "first alpha-bar unchanged");
        assertEquals(0.0, zsnr.alpha(T - 1), 1e-7);
        assertEquals(1.0, zsnr.sigma(T - 1), 1e-15);
        // √ᾱ is an affine map of the original √ᾱ (Lin et al. 2023, Alg. 1)
        double a0 = Math.sqrt(plain.alphaBar(0));
        double aT = Math.sqrt(plain.alphaBar(T - 1));
        double mid = (Math.sqrt(plain.alphaBar(400)) - aT) * a0 / (a0 - aT);
        assertEquals(mid, Math.sqrt(zsnr.alphaBar(400)), 1e-6);
    }

    @Test
    void badConfigurationsNameTheParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DiscreteVp(DiscreteVp.Config.DEFAULT.withTrainSteps(0)));
        assertTrue(e.getMessage().contains("num_train_timesteps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DiscreteVp(DiscreteVp.Config.DEFAULT.withBetas(-1, 0.02)));
        assertTrue(e.getMessage().contains("beta_start"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DiscreteVp.defaults().alpha(1000));
        assertTrue(e.getMessage().contains("[0.0, 999.0]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BetaSchedule.fromDiffusersName("cosine"));
        assertTrue(e.getMessage().contains("squaredcos_cap_v2"), e.getMessage());
    }
}
