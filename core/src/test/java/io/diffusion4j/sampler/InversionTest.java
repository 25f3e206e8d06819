package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.FinalSigma;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inversion (inverse plans) on Gaussian data with the exact denoiser: inverting then sampling over the same
 * levels returns to the start, with an error that falls at the order of the method as the steps grow.
 *
 * <p>The round trip avoids the clean end (CONTRACT.md): DDIM runs on {@code trailing} timesteps with ᾱ_0 as
 * the first level ({@code set_alpha_to_one = false}), so inversion goes t = 0 → 999 and sampling 999 → 0
 * through the same levels; DPM-Solver++ inverts up diffusers' Karras ramp from σ_min to σ_max and samples back
 * down the forward Karras plan with a {@code sigma_min} end. For DDIM the round-trip error falls at first order
 * (fitted 0.93); for DPM-Solver++(2M) only its fall is checked (it falls faster than second order, forth and
 * back partly cancelling) and the order is fitted on the inversion alone against the exact flow.
 */
class InversionTest {
    private static final DiscreteVp VP = DiscreteVp.defaults();
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);

    /** max |x_back − x_start|: a sample at the inverse plan's start, inverted over {@code inverse}, then sampled over {@code forward}. */
    private double roundTrip(Sampler inverter, Sampler sampler, Plan inverse, Plan forward) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray start = data.start(m, 64, inverse.point(0), 7);
            long[] rows = NoiseSource.range(0, 64);
            NDArray noise = new SamplingLoop(inverter, data.denoiser(), inverse).run(start, Conditioning.NONE, new NoiseSource(1), rows);
            NDArray back = new SamplingLoop(sampler, data.denoiser(), forward).run(noise, Conditioning.NONE, new NoiseSource(1), rows);
            return OdeFixtures.maxAbsDiff(back.toFloatArray(), start.toFloatArray());
        }
    }

    private double fit(String name, int[] steps, IntFunction<Double> error) {
        double[] err = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            err[i] = error.apply(steps[i]);
        }
        double order = GaussianData.order(steps, err);
        System.out.printf("%s steps %s errors %s order %.3f%n", name, Arrays.toString(steps), Arrays.toString(err), order);
        for (int i = 1; i < err.length; i++) {
            assertTrue(err[i] < err[i - 1], name + ": error must fall with more steps: " + Arrays.toString(err));
        }
        return order;
    }

    @Test
    void ddimInversionThenDdimSamplingReturnsToTheStartAtFirstOrder() {
        Ddim ddim = new Ddim();
        int[] steps = {10, 20, 50, 100, 200};
        double order = fit("DDIM inversion", steps, n -> {
            Plan inverse = Plans.ddimInverse(VP, n, Spacing.TRAILING, 0, false);
            Plan forward = Plans.ddim(VP, n, Spacing.TRAILING, 0, false);
            assertEquals(forward.point(0).sigma(), inverse.end().sigma(), 0.0);
            assertEquals(forward.end().sigma(), inverse.point(0).sigma(), 0.0);
            return roundTrip(ddim, ddim, inverse, forward);
        });
        assertEquals(1.0, order, 0.15);
    }

    /** diffusers' inverse Karras plan: the ρ = 7 ramp from σ_min up to σ_max, ending with σ_max repeated (h = 0). */
    private static Plan karrasInverse(int steps) {
        return Plans.dpmSolverInverse(VP, steps, Spacing.LINSPACE, 0, true, Double.NEGATIVE_INFINITY);
    }

    /**
     * DPM-Solver++(2M) inversion follows the exact probability-flow map at second order on the Karras ramp, and
     * sampling back over the same levels returns to the start. (Its warm-up step is first order and, inverting, it
     * sits where λ changes fastest: on the {@code linspace} grid, whose first λ-step near t = 0 shrinks only like
     * ln(T/N), the fitted order stays near 1.6 for N ≤ 320; the Karras ramp takes small λ-steps there.)
     */
    @Test
    void dpmSolverInversionFollowsTheProbabilityFlowAtSecondOrder() {
        DpmSolverPlusPlus solver = new DpmSolverPlusPlus(2).withLowerOrderFinal(false);
        // N ≤ 80: rounding repeats no timestep but the last's (N = 80), so each plan ends at σ_max (see Plans#dpmSolverInverse)
        int[] steps = {20, 40, 60, 80};
        double order = fit("DPM-Solver++(2M) inversion (Karras) vs exact flow", steps, n -> {
            try (NDManager m = NDManager.newBaseManager()) {
                return data.flowError(m, solver, karrasInverse(n), 64);
            }
        });
        assertEquals(2.0, order, 0.2);
        fit("DPM-Solver++(2M) inversion then sampling (Karras)", steps, n -> roundTrip(solver, solver, karrasInverse(n),
                Plans.dpmSolver(VP, n, Spacing.LINSPACE, 0, FinalSigma.SIGMA_MIN, true)));
    }

    /** Inversion alone tracks the exact probability-flow map from the first to the last level. */
    @Test
    void ddimInversionFollowsTheProbabilityFlowAtFirstOrder() {
        int[] steps = {10, 20, 50, 100, 200};
        double order = fit("DDIM inversion vs exact flow", steps, n -> {
            try (NDManager m = NDManager.newBaseManager()) {
                return data.flowError(m, new Ddim(), Plans.ddimInverse(VP, n, Spacing.TRAILING, 0, false), 64);
            }
        });
        assertEquals(1.0, order, 0.15);
    }

    @Test
    void plansKeepTheirDirection() {
        NoiseLevel low = VP.level(100);
        NoiseLevel high = VP.level(500);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plan.chain(VP, List.of(low, high), 1.0));
        assertTrue(e.getMessage().contains("would add noise"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Plan.chainInverse(VP, List.of(high, low)));
        assertTrue(e.getMessage().contains("would remove noise"), e.getMessage());
        assertTrue(Plan.chainInverse(VP, List.of(low, high)).inverse());
        assertTrue(!new Plan(VP, List.of(high), List.of(low), 1.0).inverse(), "the 4-argument plan is a forward plan");
    }

    @Test
    void onlyInvertibleSamplersFollowAnInversePlan() {
        Plan inverse = Plans.ddimInverse(VP, 10, Spacing.LEADING, 0, true);
        assertTrue(new Ddim().invertible());
        assertTrue(new DpmSolverPlusPlus().invertible());
        for (Sampler s : new Sampler[] {new Ddim(0.5), new Euler(), new Ddpm()}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SamplingLoop(s, data.denoiser(), inverse));
            assertTrue(e.getMessage().contains(s.toString()) && e.getMessage().contains("inverse plan"), e.getMessage());
        }
        SamplingLoop loop = new SamplingLoop(new Ddim(), data.denoiser(), inverse);
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalStateException.class,
                    () -> loop.sample(m, new Shape(4), Conditioning.NONE, new NoiseSource(0), new long[] {0}));
        }
        // DPM-Solver++ has no step out of sigma = 0 (lambda = +inf)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SamplingLoop(new DpmSolverPlusPlus(), data.denoiser(), inverse));
        assertTrue(e.getMessage().contains("sigma = 0"), e.getMessage());
    }
}
