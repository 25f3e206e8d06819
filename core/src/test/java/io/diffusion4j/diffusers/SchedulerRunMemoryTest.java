package io.diffusion4j.diffusers;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.model;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.scheduler;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A long {@link SchedulerRun} holds a bounded number of arrays: when the caller closes what each call hands
 * it (model input, model output, the previous sample, x̂₀) — as a pipeline does, right after the call —
 * the run still works (it keeps no array of the caller's), as many arrays are alive at 40 steps as at 10,
 * and after the last step only the result is left, for every class.
 */
class SchedulerRunMemoryTest {
    @Test
    void everyClassHoldsABoundedHistoryAndLeavesOnlyItsResult() {
        for (DiffusersClass c : DiffusersClass.values()) {
            int[] peak = new int[2];
            int[] stepCounts = {10, 40};
            for (int i = 0; i < 2; i++) {
                try (NDManager m = NDManager.newBaseManager()) {
                    NDArray result = pipelineLoopClosingEverything(scheduler(c.className(), Map.of()).setTimesteps(stepCounts[i]),
                            sampleDeter(m), peak, i);
                    assertEquals(1, live(m), c.className() + " at " + stepCounts[i] + " steps: the result only");
                    result.close();
                }
            }
            assertEquals(peak[0], peak[1], c.className() + ": arrays alive at once, 10 vs 40 steps");
        }
    }

    /** diffusers' {@code denoising_end}: a pipeline stops part-way and closes the run; only its own arrays remain. */
    @Test
    void aRunStoppedEarlyReleasesItsHistoryOnClose() {
        for (String className : new String[] {"DPMSolverMultistepScheduler", "UniPCMultistepScheduler", "PNDMScheduler", "HeunDiscreteScheduler"}) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray sample = sampleDeter(m);
                try (SchedulerRun run = scheduler(className, Map.of()).setTimesteps(20)) {
                    double[] ts = run.timesteps();
                    for (int i = 0; i < ts.length / 2; i++) {
                        sample = stepClosingEverything(run, sample, ts[i]);
                    }
                    assertTrue(live(m) > 1, className + ": the run keeps a history part-way");
                }
                assertEquals(1, live(m), className + ": after close only the caller's sample");
            }
        }
    }

    /** A caller's NDScope owns what step returns, so ignoring x̂₀ (as most pipelines do) leaks nothing. */
    @Test
    void theCallersScopeOwnsTheOutputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray start = sampleDeter(m);
            NDArray sample = start;
            SchedulerRun run = scheduler("DPMSolverMultistepScheduler", Map.of()).setTimesteps(25);
            for (double t : run.timesteps()) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray next = run.step(model(run.scaleModelInput(sample, t), t), t, sample).prevSample();
                    NDScope.unregister(next);
                    if (sample != start) {
                        sample.close();
                    }
                    sample = next;
                }
            }
            assertEquals(2, live(m), "the start (made outside any scope) and the result");
        }
    }

    /**
     * A call that throws leaves the run as it was: retried, the trajectory is the one without the failure, and
     * the only extra array is the caller's bad input.
     */
    @Test
    void aFailedStepCanBeRetried() {
        float[] expected;
        int liveExpected;
        try (NDManager m = NDManager.newBaseManager()) {
            expected = ddpmWithExplicitNoise(m, -1).toFloatArray();
            liveExpected = live(m);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(expected, ddpmWithExplicitNoise(m, 3).toFloatArray());
            assertEquals(liveExpected + 1, live(m), "nothing kept from the failed call");
        }
    }

    /** DDPM with variance_noise given per step; at step {@code failAt} it is first given with a wrong shape. */
    private static NDArray ddpmWithExplicitNoise(NDManager m, int failAt) {
        SchedulerRun run = scheduler("DDPMScheduler", Map.of()).setTimesteps(8);
        NDArray sample = sampleDeter(m);
        double[] ts = run.timesteps();
        for (int i = 0; i < ts.length; i++) {
            NDArray out = model(sample, ts[i]);
            NDArray noise = m.full(sample.getShape(), (float) (0.1 * i));
            if (i == failAt) {
                NDArray wrong = m.ones(new Shape(2, 3, 8, 8));
                double t = ts[i];
                NDArray s = sample;
                assertThrows(RuntimeException.class, () -> run.step(out, t, s, wrong));
            }
            sample = run.step(out, ts[i], sample, noise).prevSample();
        }
        return sample;
    }

    /** The dummy model's output; its intermediates and the model input (unless it is the sample) are closed. */
    private static NDArray modelInScope(NDArray input, double t, NDArray sample) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray out = model(input, t);
            NDScope.unregister(out);
            if (input != sample) {
                input.close();
            }
            return out;
        }
    }

    private static int live(NDManager m) {
        return ((BaseNDManager) m).getManagedArrays().size();
    }

    /** The pipeline loop of diffusers with every intermediate array closed as soon as the caller is done with it. */
    private static NDArray pipelineLoopClosingEverything(SchedulerRun run, NDArray start, int[] peak, int slot) {
        NDArray sample = start.mul(run.initNoiseSigma());
        start.close();
        for (double t : run.timesteps()) {
            sample = stepClosingEverything(run, sample, t);
            peak[slot] = Math.max(peak[slot], live(sample.getManager()));
        }
        return sample;
    }

    /** One pipeline call at {@code t}; the caller's old sample, model output and x̂₀ are closed right after it. */
    private static NDArray stepClosingEverything(SchedulerRun run, NDArray sample, double t) {
        NDArray out = modelInScope(run.scaleModelInput(sample, t), t, sample);
        SchedulerOutput step = run.step(out, t, sample);
        out.close();
        sample.close();
        step.predOriginalSample().close();
        return step.prevSample();
    }
}
