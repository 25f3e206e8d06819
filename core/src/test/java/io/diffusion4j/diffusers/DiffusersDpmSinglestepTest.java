package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.assertStats;
import static io.diffusion4j.diffusers.DiffusersFixtures.dpmSolverConfig;
import static io.diffusion4j.diffusers.DiffusersFixtures.fullLoop;
import static io.diffusion4j.diffusers.DiffusersFixtures.loop;
import static io.diffusion4j.diffusers.DiffusersFixtures.loopWithNoise;
import static io.diffusion4j.diffusers.DiffusersFixtures.meanAbs;
import static io.diffusion4j.diffusers.DiffusersFixtures.noiseDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.scheduler;
import static io.diffusion4j.diffusers.DiffusersFixtures.switchThrough;
import static io.diffusion4j.diffusers.DiffusersFixtures.vpConfig;
import static io.diffusion4j.diffusers.DiffusersFixtures.with;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code DPMSolverSinglestepScheduler} through the diffusers API against the constants of diffusers'
 * {@code tests/schedulers/test_scheduler_dpm_single.py} ({@code DPMSolverSinglestepSchedulerTest}), its loops
 * written out literally: one {@code step} call per timestep, 10 timesteps for 10 inference steps.
 *
 * <p>The suite's config: T = 1000, linear β 1e-4 … 0.02, {@code solver_order=2}, {@code dpmsolver++},
 * {@code midpoint}, {@code lambda_min_clipped=-inf}, <b>{@code final_sigmas_type="sigma_min"}</b>, the class
 * default {@code lower_order_final=False} (so orders 1, 2, 1, 2, …).
 */
class DiffusersDpmSinglestepTest {
    static Map<String, Object> config(Object... more) {
        return with(dpmSolverConfig(vpConfig(), "lambda_min_clipped", Double.NEGATIVE_INFINITY, "variance_type", null, "final_sigmas_type",
                "sigma_min"), more);
    }

    static Scheduler singlestep(Map<String, Object> fields) {
        return scheduler("DPMSolverSinglestepScheduler", fields);
    }

    @Test
    void fullLoopsReproduceDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("DPMSolverSinglestep test_full_loop_no_noise", fullLoop(singlestep(config()), sampleDeter(m)), Double.NaN, 0, 0.2791,
                    1e-3);
            assertStats("DPMSolverSinglestep test_full_loop_with_karras", fullLoop(singlestep(config("use_karras_sigmas", true)),
                    sampleDeter(m)), Double.NaN, 0, 0.2248, 1e-3);
            assertStats("DPMSolverSinglestep test_full_loop_with_v_prediction",
                    fullLoop(singlestep(config("prediction_type", "v_prediction")), sampleDeter(m)), Double.NaN, 0, 0.1453, 1e-3);
            assertStats("DPMSolverSinglestep test_full_loop_with_karras_and_v_prediction",
                    fullLoop(singlestep(config("prediction_type", "v_prediction", "use_karras_sigmas", true)), sampleDeter(m)),
                    Double.NaN, 0, 0.0649, 1e-3);
        }
    }

    /** test_full_loop_with_noise: t_start = 5 (order = 1), inside a 1-2 group: the first step drops to order 1. */
    @Test
    void fullLoopWithNoiseReproducesDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("DPMSolverSinglestep test_full_loop_with_noise", loopWithNoise(singlestep(config()), sampleDeter(m), noiseDeter(m), 5),
                    269.2187, 1e-2, 0.3505, 1e-3);
        }
    }

    /** test_full_uneven_loop: 50 steps, the loop starts at timesteps[3] (the second step of a group). */
    @Test
    void unevenLoopReproducesDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray sample = loop(singlestep(config()).setTimesteps(50), sampleDeter(m), 3);
            assertStats("DPMSolverSinglestep test_full_uneven_loop", sample, Double.NaN, 0, 0.2574, 1e-3);
        }
    }

    /**
     * test_switch: the config passed on through DEIS and UniPC and back gives the same loop (0.2791). diffusers'
     * chain also passes through {@code DPMSolverMultistepScheduler}; ours skips it because that factory does
     * not yet accept the foreign {@code solver_type}/{@code algorithm_type} names diffusers maps.
     */
    @Test
    void switchingClassesKeepsTheLoop() {
        try (NDManager m = NDManager.newBaseManager()) {
            Scheduler back = switchThrough(singlestep(config()), "DEISMultistepScheduler", "UniPCMultistepScheduler",
                    "DPMSolverSinglestepScheduler");
            assertStats("DPMSolverSinglestep test_switch", fullLoop(back, sampleDeter(m)),
                    Double.NaN, 0, 0.2791, 1e-3);
        }
    }

    /**
     * Beyond the published constants, against diffusers' own {@code scheduling_dpmsolver_singlestep.py} (commit
     * 58eb52c, run with torch 1.13 float32 outside the repository; it also gives every published loop above to
     * ≤ 1e-7): {@code test_solver_order_and_type}'s sweep, which diffusers checks only for NaN (without
     * "sde-dpmsolver++", not offered), and options its suite never runs to the end. Asserted to 1e-5.
     */
    @Test
    void matchesDiffusersSourceAcrossOptions() {
        // mean |x|, rows: dpmsolver then dpmsolver++ × (midpoint, heun) × order 1..3 × (epsilon, sample)
        double[] sweep = {0.22430225, 0.88230151, 0.37888023, 1.15488327, 0.24359839, 0.95442533,
            0.22430225, 0.88230151, 0.28163645, 0.99953407, 0.24326356, 0.95520544,
            0.22430231, 0.88230175, 0.27911609, 0.97690302, 0.24621642, 0.95009613,
            0.22430231, 0.88230175, 0.32445529, 1.05017376, 0.24792369, 0.96238780};
        int k = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (String algorithm : new String[] {"dpmsolver", "dpmsolver++"}) {
                for (String type : new String[] {"midpoint", "heun"}) {
                    for (int order = 1; order <= 3; order++) {
                        for (String p : new String[] {"epsilon", "sample"}) {
                            Map<String, Object> c = config("algorithm_type", algorithm, "solver_type", type, "solver_order", order,
                                    "prediction_type", p);
                            assertEquals(sweep[k++], meanAbs(fullLoop(singlestep(c), sampleDeter(m))), 1e-5, c.toString());
                        }
                    }
                }
            }
            Object[][] cases = {
                {0.24912477, 12, new Object[] {"solver_order", 3, "solver_type", "heun", "lower_order_final", true}},
                {0.24287939, 10, new Object[] {"solver_order", 3, "final_sigmas_type", "zero"}},
                {0.23682594, 11, new Object[] {"final_sigmas_type", "zero"}},
                {0.22659361, 9, new Object[] {"solver_order", 3, "use_karras_sigmas", true}},
                {1.39353120, 9, new Object[] {"solver_order", 3, "thresholding", true, "dynamic_thresholding_ratio", 0.87,
                    "sample_max_value", 0.5}},
                {0.10481358, 10, new Object[] {"solver_order", 3, "lower_order_final", true, "prediction_type", "v_prediction"}},
            };
            for (Object[] c : cases) {
                Map<String, Object> cfg = config((Object[]) c[2]);
                assertEquals((double) c[0], meanAbs(fullLoop(singlestep(cfg), sampleDeter(m), (int) c[1])), 1e-5, cfg + ", " + c[1] + " steps");
            }
        }
    }

    @Test
    void timestepsAreOnePerModelCall() {
        SchedulerRun run = singlestep(config("solver_order", 3)).setTimesteps(10);
        assertArrayEquals(new double[] {999, 899, 799, 699, 599, 500, 400, 300, 200, 100}, run.timesteps());
    }

    @Test
    void unsupportedOptionsSaySo() {
        IllegalArgumentException sde = assertThrows(IllegalArgumentException.class,
                () -> singlestep(config("algorithm_type", "sde-dpmsolver++")));
        assertTrue(sde.getMessage().contains("sde-dpmsolver++"), sde.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> singlestep(config("algorithm_type", "dpmsolver", "final_sigmas_type", "zero")));
        assertTrue(zero.getMessage().contains("sigma_min"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> singlestep(config("lambda_min_clipped", -5.1)));
    }
}
