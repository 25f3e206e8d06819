package io.diffusion4j.diffusers;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.model;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static io.diffusion4j.diffusers.DiffusersFixtures.scheduler;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

    private static int live(NDManager m) {
        return ((BaseNDManager) m).getManagedArrays().size();
    }

    /** The pipeline loop of diffusers with every intermediate array closed as soon as the caller is done with it. */
    private static NDArray pipelineLoopClosingEverything(SchedulerRun run, NDArray start, int[] peak, int slot) {
        NDArray sample = start.mul(run.initNoiseSigma());
        start.close();
        for (double t : run.timesteps()) {
            NDArray input = run.scaleModelInput(sample, t);
            NDArray out;
            try (NDScope scope = new NDScope()) {   // the dummy model's own intermediates go with the scope
                out = model(input, t);
                NDScope.unregister(out);
            }
            SchedulerOutput step = run.step(out, t, sample);
            if (input != sample) {
                input.close();
            }
            out.close();
            sample.close();
            step.predOriginalSample().close();
            sample = step.prevSample();
            peak[slot] = Math.max(peak[slot], live(sample.getManager()));
        }
        return sample;
    }
}
