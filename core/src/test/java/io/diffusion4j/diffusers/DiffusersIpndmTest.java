package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.NetworkDenoiser;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.sampler.History;
import io.diffusion4j.sampler.StepContext;
import io.diffusion4j.sampler.Stepped;
import io.diffusion4j.schedule.CosineVp;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.DUMMY_MODEL;
import static io.diffusion4j.diffusers.DiffusersFixtures.assertStats;
import static io.diffusion4j.diffusers.DiffusersFixtures.fullLoop;
import static io.diffusion4j.diffusers.DiffusersFixtures.noiseDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.scheduler;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code IPNDMScheduler} against diffusers' {@code tests/schedulers/test_scheduler_ipndm.py} ({@code
 * IPNDMSchedulerTest}, config {@code num_train_timesteps = 1000}, 10 steps).
 *
 * <p>The suite's {@code full_loop} runs the timesteps twice: after the first pass it resets only {@code
 * _step_index}, so the second pass starts at α = 0 with the four newest outputs of the first pass still in
 * {@code ets} (fourth order from its first step). At α = 0 the x̂₀ division is by diffusers' floor 10⁻⁸,
 * which multiplies the mismatch between x and the extrapolated ε̂ by 10⁸: hence the published mean of
 * 2.5 million. Our runs start fresh ({@link Scheduler#setTimesteps} is a new trajectory), so the second pass
 * is written against the core sampler, handing it the history of the first pass as diffusers does.
 */
class DiffusersIpndmTest {
    private static Scheduler ipndm() {
        return scheduler("IPNDMScheduler", Map.of("num_train_timesteps", 1000));
    }

    /** test_full_loop_no_noise: mean 2540529 ± 10 (no sum is published). */
    @Test
    void fullLoopNoNoise() {
        Scheduler s = ipndm();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray viaApi = fullLoop(s, sampleDeter(m));
            Plan plan = s.plan(10);
            Denoiser denoiser = new NetworkDenoiser(DUMMY_MODEL, Prediction.V);
            NDArray x = sampleDeter(m);
            History history = History.EMPTY;
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < plan.steps(); i++) {
                    StepContext ctx = new StepContext(denoiser, plan, i, Conditioning.NONE, k -> {
                        throw new AssertionError("ipndm draws no noise");
                    });
                    Stepped out = s.sampler().step(ctx, x, history);
                    x = out.x();
                    history = out.history();
                }
                if (pass == 0) {
                    assertArrayEquals(viaApi.toFloatArray(), x.toFloatArray(), 1e-6f, "the API's pass is the sampler's");
                }
            }
            assertStats("IPNDM test_full_loop_no_noise", x, Double.NaN, 0, 2540529, 10);
        }
    }

    /** Not a diffusers constant: the timesteps atan2(σ, α)·2/π of diffusers' float32 levels, computed with torch 1.13. */
    @Test
    void timestepsAreDiffusers() {
        double[] torch = {1.0, 0.8588707447052002, 0.7195241451263428, 0.583897590637207, 0.45424884557724, 0.3333333432674408,
            0.22457554936408997, 0.1321592777967453, 0.06088455021381378, 0.01558075100183487};
        double[] ours = ipndm().setTimesteps(10).timesteps();
        assertEquals(torch.length, ours.length);
        for (int i = 0; i < torch.length; i++) {
            assertEquals(torch[i], ours[i], 2 * Math.ulp((float) torch[i]), "timestep " + i);
        }
        Plan plan = ipndm().plan(10);
        assertEquals(0.0, plan.point(0).alpha(), "diffusers' first level is pure noise");
        assertEquals(0.9755282998085022, plan.point(1).sigma(), 0.0, "sin^2(0.45 pi) in float32");
        assertEquals(0.21987394988536835, plan.point(1).alpha(), 0.0);
    }

    /**
     * Not a diffusers constant (diffusers' IPNDM has no {@code add_noise}): the levels lie on the cosine schedule
     * α = cos(πt/2), σ = sin(πt/2) of their timesteps, so {@code add_noise} at a timestep t is cos(πt/2)·x₀ +
     * sin(πt/2)·noise; at t = 1/3 that is (√3/2)·x₀ + ½·noise (by hand).
     */
    @Test
    void addNoiseFollowsTheCosineSchedule() {
        Scheduler s = ipndm();
        assertEquals(new CosineVp(), s.recipe().schedule());
        Plan plan = s.plan(10);
        for (NoiseLevel l : plan.points()) {
            assertEquals(Math.cos(Math.PI * l.t() / 2), l.alpha(), 1e-6, "alpha at t = " + l.t());
            assertEquals(Math.sin(Math.PI * l.t() / 2), l.sigma(), 1e-6, "sigma at t = " + l.t());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = sampleDeter(m);
            NDArray noise = noiseDeter(m);
            assertArrayEquals(x0.mul(Math.sqrt(3) / 2).add(noise.mul(0.5)).toFloatArray(), s.addNoise(x0, noise, 1 / 3.0).toFloatArray(), 1e-6f);
            SchedulerRun run = s.setTimesteps(10);
            NoiseLevel first = plan.point(1);
            assertArrayEquals(first.diffuse(x0, noise).toFloatArray(), run.addNoise(x0, noise, run.timesteps()[1]).toFloatArray(), 0f,
                    "at a run's timestep: that call's level");
        }
    }
}
