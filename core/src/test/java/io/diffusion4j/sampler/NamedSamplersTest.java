package io.diffusion4j.sampler;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.NoiseSchedule;
import io.diffusion4j.schedule.RectifiedFlow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every name of the {@link Sampling} façade keeps (STYLE.md "one contract test run over every
 * sampler"): from pure noise, with the exact denoiser of 64-dimensional Gaussian data N(0.3, 0.5²), the
 * method's default plan on the schedule it fits gives finite samples whose mean and variance are those of
 * the data — 50 steps for the deterministic methods, 500 for the stochastic ones, whose variance bias is
 * only first order in the step (20% at 50 steps). The tolerances (0.03 on the mean, 15% on the variance)
 * catch any wrong scaling, sign or plan, which are off by far more; the orders and diffusers' constants
 * are tested per sampler.
 */
class NamedSamplersTest {
    private static final GaussianData DATA = new GaussianData(64, 0.3, 0.5);
    private static final Set<Sampling.Method> STOCHASTIC = EnumSet.of(Sampling.Method.DDPM, Sampling.Method.EULER_A, Sampling.Method.SDE,
            Sampling.Method.PC);

    private static int steps(Sampling.Method m) {
        return STOCHASTIC.contains(m) ? 500 : 50;
    }

    private static NoiseSchedule scheduleFor(Sampling.Method m) {
        return m.isFlow() ? new RectifiedFlow() : DiscreteVp.defaults();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Sampling.Method.class)
    void samplesTheDataDistribution(Sampling.Method method) {
        Sampling.Choice c = method.choose(scheduleFor(method), steps(method));
        try (NDManager m = NDManager.newBaseManager()) {
            float[] x = StochasticFixtures.sample(m, c.sampler(), DATA.denoiser(), c.plan(), DATA.dim(), 200, 11);
            for (float v : x) {
                assertTrue(Float.isFinite(v), method + ": non-finite sample");
            }
            StochasticFixtures.Moments mo = StochasticFixtures.moments(x);
            System.out.printf("named sampler %-15s mean %.4f var %.4f%n", method.cliName(), mo.mean(), mo.var());
            assertEquals(0.3, mo.mean(), 0.03, method + " mean");
            assertEquals(0.25, mo.var(), 0.25 * 0.15, method + " variance");
        }
    }

    @ParameterizedTest(name = "{0} on EDM")
    @EnumSource(Sampling.Method.class)
    void everyNonFlowMethodWithoutDiscreteTimesRunsOnAnEdmSchedule(Sampling.Method method) {
        if (method.isFlow() || method == Sampling.Method.DDIM || method == Sampling.Method.DDPM) {
            return;
        }
        Sampling.Choice c = method.choose(KarrasSigmas.EDM, steps(method));
        try (NDManager m = NDManager.newBaseManager()) {
            StochasticFixtures.Moments mo = StochasticFixtures.moments(
                    StochasticFixtures.sample(m, c.sampler(), DATA.denoiser(), c.plan(), DATA.dim(), 200, 12));
            System.out.printf("named sampler %-15s on EDM: mean %.4f var %.4f%n", method.cliName(), mo.mean(), mo.var());
            assertEquals(0.3, mo.mean(), 0.03, method + " mean");
            assertEquals(0.25, mo.var(), 0.25 * 0.15, method + " variance");
        }
    }

    /**
     * heun, dpm2 and pf-ode call the network at or near each step's target, so they take diffusers'
     * {@code trailing} list, round(arange(T, 0, −T/N)) − 1 = 999, 899, …, 99 for 10 of 1000 steps, and
     * never call it below t = 99; euler keeps the default {@code linspace} list, which ends at t = 0.
     * ipndm takes the {@code leading} list of pndm and plms: 900, 800, …, 0.
     */
    @Test
    void theSamplersThatCallTheNetworkAtTheTargetUseTrailingSpacing() {
        double[] trailing = {999, 899, 799, 699, 599, 499, 399, 299, 199, 99};
        for (Sampling.Method method : EnumSet.of(Sampling.Method.HEUN, Sampling.Method.DPM2, Sampling.Method.PF_ODE)) {
            Sampling.Choice c = method.choose(DiscreteVp.defaults(), 10);
            assertArrayEquals(trailing, c.plan().timesteps(), 1e-9, method.cliName());
            assertTrue(c.plan().end().isClean(), method.cliName() + " ends at the clean sample");
            double[] lowest = {Double.MAX_VALUE};
            Denoiser exact = DATA.denoiser();
            Denoiser recording = (x, level, cond) -> {
                lowest[0] = Math.min(lowest[0], level.t());
                return exact.denoise(x, level, cond);
            };
            try (NDManager m = NDManager.newBaseManager()) {
                StochasticFixtures.sample(m, c.sampler(), recording, c.plan(), DATA.dim(), 4, 13);
            }
            assertEquals(99.0, lowest[0], 1e-9, method.cliName() + ": lowest timestep the network is called at");
        }
        double[] euler = Sampling.Method.EULER.choose(DiscreteVp.defaults(), 10).plan().timesteps();
        assertEquals(0.0, euler[euler.length - 1], "euler's linspace list ends at t = 0");
        assertArrayEquals(new double[] {900, 800, 700, 600, 500, 400, 300, 200, 100, 0},
                Sampling.Method.IPNDM.choose(DiscreteVp.defaults(), 10).plan().timesteps(), 1e-9, "ipndm");
    }

    /** Only the Euler–Maruyama methods ask for many steps (docs/quality.md: noise at 10 steps, garments at 100). */
    @Test
    void onlySdeAndPcNeedManyStepsForImages() {
        for (Sampling.Method m : Sampling.Method.values()) {
            int expected = m == Sampling.Method.SDE || m == Sampling.Method.PC ? 100 : 0;
            assertEquals(expected, m.fewestStepsForImages(), m.cliName());
        }
    }
}
