package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.diffusers.DiffusersFixtures.DiffusersCase;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.cases;
import static io.diffusion4j.diffusers.DiffusersFixtures.meanAbs;
import static io.diffusion4j.diffusers.DiffusersFixtures.pipelineFullLoop;
import static io.diffusion4j.diffusers.DiffusersFixtures.scheduler;
import static io.diffusion4j.diffusers.DiffusersFixtures.sumAbs;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Beyond the constants diffusers publishes: the pipeline loop users write ({@code x = dummy·init_noise_sigma};
 * per timestep {@code out = model(scale_model_input(x, t), t)}, {@code x = step(out, t, x).prev_sample}) at
 * 6, 25 and 50 steps and several options of every deterministic class, against the numbers diffusers' own
 * classes give for the same loop ({@code loops.json}, made by {@code loops-gen.py} with torch's float32).
 * Agreement within 2e-4 relative on sum |x| and mean |x| (a float32 loop's round-off; a wrong step or
 * timestep is off by percents). Where diffusers itself returns NaN (UniPC's bh1 at order 3 divides by
 * zero on its last step to σ = 0, which {@link io.diffusion4j.sampler.UniPc} takes at first order, as
 * documented there) ours must be finite.
 */
class FreshLoopsTest {
    private static final double RELATIVE = 2e-4;

    @Test
    void everyDeterministicClassFollowsDiffusersAtOtherStepCounts() throws Exception {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (DiffusersCase c : cases("loops.json")) {
            String cls = c.className();
            Map<String, Object> config = c.config();
            int steps = c.steps();
            double sum;
            double mean;
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = pipelineFullLoop(m, scheduler(cls, config), steps);
                sum = sumAbs(x);
                mean = meanAbs(x);
            }
            double expSum = c.json().get("sum").getAsDouble();
            double expMean = c.json().get("mean").getAsDouble();
            boolean ok = Double.isNaN(expSum) ? Double.isFinite(sum) : Math.abs(sum - expSum) <= RELATIVE * Math.abs(expSum) + 1e-6 && Math.abs(mean - expMean) <= RELATIVE * Math.abs(expMean) + 1e-9;
            String line = String.format(Locale.ROOT, "%s %s N=%d: sum %.6f (diffusers %.6f) mean %.8g (diffusers %.8g)", cls, config, steps,
                    sum, expSum, mean, expMean);
            System.out.println((ok ? "  ok    " : "  WRONG ") + line);
            if (!ok) {
                wrong.add(line);
            }
            checked++;
        }
        System.out.printf("fresh loops: %d checked, %d differ%n", checked, wrong.size());
        assertTrue(checked >= 100, "loops checked: " + checked);
        assertTrue(wrong.isEmpty(), wrong.size() + " loops differ from diffusers; first: " + (wrong.isEmpty() ? "" : wrong.get(0)));
    }
}
