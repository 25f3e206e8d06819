package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.random.TorchGenerator;
import io.diffusion4j.schedule.Plan;

/**
 * diffusers' stochastic scheduler tests draw each step's noise inside {@code step} with {@code
 * randn_tensor(model_output.shape, generator=torch.manual_seed(0))}. These helpers let a test loop draw the
 * same bits from a {@link TorchGenerator} exactly when diffusers does and hand them to {@link
 * SchedulerRun#step(NDArray, double, NDArray, NDArray)}.
 */
final class TorchDraws {
    private TorchDraws() {}

    /** A run of {@code scheduler} over {@code set_timesteps(steps)}. */
    static SchedulerRun run(Scheduler scheduler, int steps) {
        return run(scheduler, scheduler.plan(steps));
    }

    /** A run of {@code scheduler} over {@code plan} (e.g. diffusers' custom timesteps). */
    static SchedulerRun run(Scheduler scheduler, Plan plan) {
        return new SchedulerRun(scheduler.recipe(), plan);
    }

    /** diffusers' {@code randn_tensor(like.shape, generator=g)} on CPU in float32, on like's manager. */
    static NDArray randn(TorchGenerator g, NDArray like) {
        Shape shape = like.getShape();
        return g.randn(like.getManager(), shape);
    }
}
