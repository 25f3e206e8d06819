package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.diffusion4j.diffusers.DiffusersFixtures.DUMMY_MODEL;
import static io.diffusion4j.diffusers.DiffusersFixtures.meanAbs;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
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

    private static NDArray model(NDArray x, double t) {
        return DUMMY_MODEL.apply(x, x.getManager().full(new Shape(x.getShape().get(0)), (float) t), null);
    }

    @Test
    void everyDeterministicClassFollowsDiffusersAtOtherStepCounts() throws Exception {
        JsonObject file;
        try (Reader r = new InputStreamReader(FreshLoopsTest.class.getResourceAsStream("loops.json"), StandardCharsets.UTF_8)) {
            file = JsonParser.parseReader(r).getAsJsonObject();
        }
        Gson gson = new Gson();
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (JsonElement e : file.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            String cls = c.get("class").getAsString();
            @SuppressWarnings("unchecked")
            Map<String, Object> config = gson.fromJson(c.get("config"), Map.class);
            int steps = c.get("steps").getAsInt();
            double sum;
            double mean;
            try (NDManager m = NDManager.newBaseManager()) {
                SchedulerRun run = Scheduler.fromConfig(SchedulerConfig.of(cls, config)).setTimesteps(steps);
                NDArray x = sampleDeter(m).mul(run.initNoiseSigma());
                for (double t : run.timesteps()) {
                    x = run.step(model(run.scaleModelInput(x, t), t), t, x).prevSample();
                }
                sum = sumAbs(x);
                mean = meanAbs(x);
            }
            double expSum = c.get("sum").getAsDouble();
            double expMean = c.get("mean").getAsDouble();
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
