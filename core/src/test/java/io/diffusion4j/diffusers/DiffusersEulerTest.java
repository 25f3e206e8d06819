package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.model.NetworkDenoiser;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.sampler.Euler;
import io.diffusion4j.sampler.Heun;
import io.diffusion4j.sampler.Sampler;
import io.diffusion4j.schedule.BetaSchedule;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import static io.diffusion4j.diffusers.DiffusersFixtures.DUMMY_MODEL;
import static io.diffusion4j.diffusers.DiffusersFixtures.assertStats;
import static io.diffusion4j.diffusers.DiffusersFixtures.noiseDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.run;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.tail;

/**
 * Our {@link Euler} and {@link Heun} on {@link Plans#euler} against the constants of diffusers'
 * {@code tests/schedulers/test_scheduler_euler.py} ({@code EulerDiscreteSchedulerTest}) and {@code
 * tests/schedulers/test_scheduler_heun.py} ({@code HeunDiscreteSchedulerTest}).
 *
 * <p>Both suites use T = <b>1100</b>, linear β 1e-4 … 0.02, default {@code linspace} spacing (fractional
 * timesteps) and 10 steps. Their {@code full_loop}: sample = {@code dummy_sample_deter}·{@code
 * init_noise_sigma} (the VE sample x̃; our native start is α·x̃, which is {@link Plan#initNoiseScale}·dummy);
 * then per step {@code sample = scale_model_input(sample, t)}, model = {@code dummy_model}(sample, t) with the
 * float timestep, {@code sample = step(model_output, t, sample)}. Because the scaled sample is passed on to
 * {@code step}, the published numbers are those of {@link DiffusersFixtures.ScaledSampleReused} around our
 * sampler, not of a correct pipeline loop ({@link #correctLoopDiffersFromTheSuitesLoop} shows the
 * difference). The last level is clean (α = 1), so our result is diffusers' sample as it stands.
 */
class DiffusersEulerTest {
    private static final DiscreteVp VP = DiscreteVp.of(BetaSchedule.LINEAR, 1100, 1e-4, 0.02);

    private static Plan plan(boolean karras) {
        return Plans.euler(VP, 10, Spacing.LINSPACE, 0, karras);
    }

    private static NDArray suiteLoop(NDManager m, Sampler ours, Prediction prediction, Plan plan) {
        Sampler asInSuite = new DiffusersFixtures.ScaledSampleReused(ours, DUMMY_MODEL, prediction);
        return run(asInSuite, new NetworkDenoiser(DUMMY_MODEL, prediction), plan, sampleDeter(m).mul(plan.initNoiseScale()));
    }

    /**
     * The suites' {@code test_full_loop_with_noise}: x̃ = dummy·{@code init_noise_sigma} + noise·σ_8 ({@code
     * add_noise} at {@code timesteps[t_start·order]}, t_start = 8), then the steps from level 8 on.
     */
    private static NDArray suiteLoopWithNoise(NDManager m, Sampler ours) {
        Plan full = plan(false);
        Plan plan = tail(full, 8);
        NoiseLevel start = plan.point(0);
        double initNoiseSigma = full.initNoiseScale() / full.point(0).alpha();
        NDArray veSample = sampleDeter(m).mul(initNoiseSigma).add(noiseDeter(m).mul(start.veSigma()));
        Sampler asInSuite = new DiffusersFixtures.ScaledSampleReused(ours, DUMMY_MODEL, Prediction.EPSILON);
        return run(asInSuite, new NetworkDenoiser(DUMMY_MODEL, Prediction.EPSILON), plan, veSample.mul(start.alpha()));
    }

    // ---- EulerDiscreteSchedulerTest -------------------------------------------------------------

    /** Euler test_full_loop_no_noise (and test_full_loop_device): 10.0807 ± 1e-2, 0.0131 ± 1e-3. */
    @Test
    void eulerFullLoopNoNoise() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = suiteLoop(m, new Euler(), Prediction.EPSILON, plan(false));
            assertStats("EulerDiscrete test_full_loop_no_noise", x, 10.0807, 1e-2, 0.0131, 1e-3);
        }
    }

    /** Euler test_full_loop_with_v_prediction: 0.0002 ± 1e-2, 2.2676e-06 ± 1e-3. */
    @Test
    void eulerFullLoopWithVPrediction() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = suiteLoop(m, new Euler(), Prediction.V, plan(false));
            assertStats("EulerDiscrete test_full_loop_with_v_prediction", x, 0.0002, 1e-2, 2.2676e-06, 1e-3);
        }
    }

    /** Euler test_full_loop_device_karras_sigmas: 124.52299499511719 ± 1e-2, 0.16213932633399963 ± 1e-3. */
    @Test
    void eulerFullLoopKarrasSigmas() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = suiteLoop(m, new Euler(), Prediction.EPSILON, plan(true));
            assertStats("EulerDiscrete test_full_loop_device_karras_sigmas", x, 124.52299499511719, 1e-2, 0.16213932633399963, 1e-3);
        }
    }

    /** Euler test_full_loop_with_noise: 57062.9297 ± 1e-2, 74.3007 ± 1e-3. */
    @Test
    void eulerFullLoopWithNoise() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = suiteLoopWithNoise(m, new Euler());
            assertStats("EulerDiscrete test_full_loop_with_noise", x, 57062.9297, 1e-2, 74.3007, 1e-3);
        }
    }

    // ---- HeunDiscreteSchedulerTest --------------------------------------------------------------

    /** Heun test_full_loop_no_noise (and test_full_loop_device, CPU): 0.1233 ± 1e-2, 0.0002 ± 1e-3. */
    @Test
    void heunFullLoopNoNoise() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = suiteLoop(m, new Heun(), Prediction.EPSILON, plan(false));
            assertStats("HeunDiscrete test_full_loop_no_noise", x, 0.1233, 1e-2, 0.0002, 1e-3);
        }
    }

    /** Heun test_full_loop_with_v_prediction (CPU): 4.6934e-07 ± 1e-2, 6.1112e-10 ± 1e-3. */
    @Test
    void heunFullLoopWithVPrediction() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = suiteLoop(m, new Heun(), Prediction.V, plan(false));
            assertStats("HeunDiscrete test_full_loop_with_v_prediction", x, 4.6934e-07, 1e-2, 6.1112e-10, 1e-3);
        }
    }

    /** Heun test_full_loop_device_karras_sigmas: 0.00015 ± 1e-2, 1.9869554535034695e-07 ± 1e-2. */
    @Test
    void heunFullLoopKarrasSigmas() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = suiteLoop(m, new Heun(), Prediction.EPSILON, plan(true));
            assertStats("HeunDiscrete test_full_loop_device_karras_sigmas", x, 0.00015, 1e-2, 1.9869554535034695e-07, 1e-2);
        }
    }

    /** Heun test_full_loop_with_noise: 75074.8906 ± 1e-2, 97.7538 ± 1e-3. */
    @Test
    void heunFullLoopWithNoise() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = suiteLoopWithNoise(m, new Heun());
            assertStats("HeunDiscrete test_full_loop_with_noise", x, 75074.8906, 1e-2, 97.7538, 1e-3);
        }
    }

    /**
     * Not a published constant but the rule in {@code EulerDiscreteScheduler.set_timesteps} / {@code
     * HeunDiscreteScheduler.set_timesteps}: the Karras ramp runs between the σ interpolated at the spacing's
     * first and last timesteps, and {@code init_noise_sigma} is √(σ_max² + 1) for {@code leading} whether or
     * not Karras σ are used.
     */
    @Test
    void karrasRampFollowsTheSpacing() {
        Plan trailing = Plans.euler(VP, 10, Spacing.TRAILING, 0, true);
        // trailing timesteps 1099, 989, …, 109: σ_max = σ(1099), σ_min = σ(109)
        org.junit.jupiter.api.Assertions.assertEquals(VP.veSigma(1099), trailing.point(0).veSigma(), 1e-9);
        org.junit.jupiter.api.Assertions.assertEquals(VP.veSigma(109), trailing.point(9).veSigma(), 1e-9);
        Plan leading = Plans.euler(VP, 10, Spacing.LEADING, 1, true);
        // leading timesteps 991, 881, …, 1 (ratio 110, offset 1)
        double veMax = VP.veSigma(991);
        org.junit.jupiter.api.Assertions.assertEquals(veMax, leading.point(0).veSigma(), 1e-9);
        org.junit.jupiter.api.Assertions.assertEquals(VP.veSigma(1), leading.point(9).veSigma(), 1e-9);
        org.junit.jupiter.api.Assertions.assertEquals(Math.sqrt(veMax * veMax + 1) * leading.point(0).alpha(), leading.initNoiseScale(), 1e-12);
    }

    /**
     * Not a diffusers constant: the same Euler run as a correct pipeline (model input x̃/√(σ² + 1), state
     * kept as x̃), printed, to show that the suites' numbers depend on their loop reusing the scaled sample.
     */
    @Test
    void correctLoopDiffersFromTheSuitesLoop() {
        try (NDManager m = NDManager.newBaseManager()) {
            Plan plan = plan(false);
            NDArray x = run(new Euler(), new NetworkDenoiser(DUMMY_MODEL, Prediction.EPSILON), plan, sampleDeter(m).mul(plan.initNoiseScale()));
            double sum = DiffusersFixtures.sumAbs(x);
            System.out.printf("diffusers EulerDiscrete correct pipeline loop (not published): sum %.6f vs the suite's 10.0807%n", sum);
            org.junit.jupiter.api.Assertions.assertTrue(Math.abs(sum - 10.0807) > 1, "the suite's loop should differ from a correct loop");
        }
    }
}
