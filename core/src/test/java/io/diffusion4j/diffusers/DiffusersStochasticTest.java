package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.random.TorchGenerator;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.assertStats;
import static io.diffusion4j.diffusers.DiffusersFixtures.model;
import static io.diffusion4j.diffusers.DiffusersFixtures.noiseDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.scheduler;
import static io.diffusion4j.diffusers.DiffusersFixtures.vpConfig;
import static io.diffusion4j.diffusers.TorchDraws.randn;

/**
 * The stochastic full loops of diffusers' scheduler tests, whose published constants depend on the noise
 * of {@code torch.manual_seed(0)}: the loops are written as in diffusers, and each step is given the noise
 * diffusers' {@code step} draws from the generator, at the moment it draws it ({@link TorchGenerator}
 * reproduces PyTorch's CPU generator bit for bit).
 *
 * <ul>
 *   <li>{@code DDPMScheduler.step} draws {@code randn_tensor(model_output.shape)} when t &gt; 0.</li>
 *   <li>{@code EulerAncestralDiscreteScheduler.step} draws it at every step, the last included (there it is
 *       multiplied by σ_up = 0).</li>
 *   <li>{@code DDIMScheduler} with η &gt; 0: diffusers' suite publishes no constant for it ({@code test_eta}
 *       only compares a scheduler with its saved copy), so there is nothing to reproduce.</li>
 * </ul>
 */
class DiffusersStochasticTest {
    /** {@code DDPMSchedulerTest.get_scheduler_config}. */
    private static Map<String, Object> ddpmConfig() {
        return vpConfig("variance_type", "fixed_small", "clip_sample", true);
    }

    /**
     * DDPM's loops run over all T = 1000 training timesteps without {@code set_timesteps}; our {@code
     * setTimesteps(1000)} ({@code leading}, ratio 1) gives the same 999 … 0 and the same t − 1 targets.
     * {@code from} is the index of the first timestep (0, or 998 when the loop starts with add_noise).
     */
    private static NDArray ddpmLoop(NDManager m, Scheduler s, int from, NDArray start) {
        SchedulerRun run = TorchDraws.run(s, 1000);
        TorchGenerator g = new TorchGenerator(0);
        double[] ts = run.timesteps();
        NDArray sample = start;
        for (int i = from; i < ts.length; i++) {
            double t = ts[i];
            NDArray residual = model(sample, t);
            NDArray noise = t > 0 ? randn(g, residual) : null;
            sample = run.step(residual, t, sample, noise).prevSample();
        }
        return sample;
    }

    @Test
    void ddpmFullLoopsReproduceDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertStats("DDPMScheduler test_full_loop_no_noise", ddpmLoop(m, scheduler("DDPMScheduler", ddpmConfig()), 0, sampleDeter(m)),
                    258.9606, 1e-2, 0.3372, 1e-3);
            Map<String, Object> v = ddpmConfig();
            v.put("prediction_type", "v_prediction");
            assertStats("DDPMScheduler test_full_loop_with_v_prediction", ddpmLoop(m, scheduler("DDPMScheduler", v), 0, sampleDeter(m)),
                    202.0296, 1e-2, 0.2631, 1e-3);
        }
    }

    /**
     * test_full_loop_with_noise: t_start = T − 2, add_noise at timesteps[998] = 1, then steps at 1 and 0:
     * sum 387.9466 ± 1e-2, mean 0.5051 ± 1e-3. At t = 1 diffusers computes β = 1 − ᾱ₁/ᾱ₀ in float32, where the
     * quotient's rounding is a 5e-4 relative error of β; {@link io.diffusion4j.sampler.Ddpm} does the same on a
     * float32 table (in float64 the sum would be 387.9676: a replay of diffusers' two steps with the same
     * torch noise on this machine gives 387.94659 in float32 and 387.96761 in float64).
     */
    @Test
    void ddpmFullLoopWithNoiseReproducesDiffusersFloat32Arithmetic() {
        try (NDManager m = NDManager.newBaseManager()) {
            Scheduler s = scheduler("DDPMScheduler", ddpmConfig());
            int tStart = 1000 - 2;
            NDArray start = s.addNoise(sampleDeter(m), noiseDeter(m), s.setTimesteps(1000).timesteps()[tStart]);
            NDArray x = ddpmLoop(m, s, tStart, start);
            assertStats("DDPMScheduler test_full_loop_with_noise", x, 387.9466, 1e-2, 0.5051, 1e-3);
        }
    }

    /** {@code EulerAncestralDiscreteSchedulerTest.get_scheduler_config}: T = 1100, linear β 1e-4 … 0.02. */
    private static Map<String, Object> eulerAncestralConfig() {
        return vpConfig("num_train_timesteps", 1100);
    }

    /**
     * The suite's loop: 10 steps from dummy·init_noise_sigma (or, from {@code from} on, the given start),
     * {@code sample = scale_model_input(sample, t)} passed both to the model and to {@code step}, noise drawn
     * at every step.
     */
    private static NDArray eulerAncestralLoop(SchedulerRun run, int from, NDArray start) {
        TorchGenerator g = new TorchGenerator(0);
        double[] ts = run.timesteps();
        NDArray sample = start;
        for (int i = from; i < ts.length; i++) {
            sample = run.scaleModelInput(sample, ts[i]);
            NDArray out = model(sample, ts[i]);
            sample = run.step(out, ts[i], sample, randn(g, out)).prevSample();
        }
        return sample;
    }

    @Test
    void eulerAncestralFullLoopsReproduceDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            SchedulerRun run = TorchDraws.run(scheduler("EulerAncestralDiscreteScheduler", eulerAncestralConfig()), 10);
            NDArray x = eulerAncestralLoop(run, 0, sampleDeter(m).mul(run.initNoiseSigma()));
            // test_full_loop_no_noise and test_full_loop_device publish the same numbers for the same loop
            assertStats("EulerAncestralDiscreteScheduler test_full_loop_no_noise / _device", x, 152.3192, 1e-2, 0.1983, 1e-3);

            Map<String, Object> v = eulerAncestralConfig();
            v.put("prediction_type", "v_prediction");
            SchedulerRun vRun = TorchDraws.run(scheduler("EulerAncestralDiscreteScheduler", v), 10);
            NDArray xv = eulerAncestralLoop(vRun, 0, sampleDeter(m).mul(vRun.initNoiseSigma()));
            assertStats("EulerAncestralDiscreteScheduler test_full_loop_with_v_prediction", xv, 108.4439, 1e-2, 0.1412, 1e-3);
        }
    }

    /** test_full_loop_with_noise: t_start = 8 (order 1), add_noise at timesteps[8], then the last two steps. */
    @Test
    void eulerAncestralFullLoopWithNoiseReproducesDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            SchedulerRun run = TorchDraws.run(scheduler("EulerAncestralDiscreteScheduler", eulerAncestralConfig()), 10);
            int tStart = 10 - 2;
            NDArray start = run.addNoise(sampleDeter(m).mul(run.initNoiseSigma()), noiseDeter(m), run.timesteps()[tStart]);
            assertStats("EulerAncestralDiscreteScheduler test_full_loop_with_noise", eulerAncestralLoop(run, tStart, start), 56163.0508,
                    1e-2, 73.1290, 1e-3);
        }
    }
}
