package io.diffusion4j.train;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;
import io.diffusion4j.nn.UNet;
import io.diffusion4j.nn.Params;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    @TempDir
    Path dir;

    private static Map<String, float[]> snapshot(Trainer t) {
        Map<String, float[]> out = new LinkedHashMap<>();
        Params.arrays(t.model()).forEach((k, v) -> out.put("model/" + k, v.toFloatArray()));
        Params.arrays(t.ema()).forEach((k, v) -> out.put("ema/" + k, v.toFloatArray()));
        return out;
    }

    private static void assertBitIdentical(Map<String, float[]> a, Map<String, float[]> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            float[] x = a.get(k);
            float[] y = b.get(k);
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                    throw new AssertionError(k + "[" + i + "]: " + x[i] + " != " + y[i]);
                }
            }
        }
    }

    /** Training N steps equals training k steps, checkpointing, and resuming in a new trainer to N: bit for bit. */
    @Test
    void resumeIsBitExact() throws IOException {
        int n = 6;
        int k = 3;
        Map<String, float[]> straight;
        try (TinyRun run = new TinyRun(); Trainer<UNet> t = run.trainer()) {
            for (int i = 0; i < n; i++) {
                t.step();
            }
            straight = snapshot(t);
        }
        try (TinyRun run = new TinyRun()) {
            try (Trainer<UNet> t = run.trainer()) {
                for (int i = 0; i < k; i++) {
                    t.step();
                }
                t.save(dir, new JsonObject(), 2);
            }
            try (Trainer<UNet> t = run.trainer(); Checkpoint.Loaded c = Checkpoint.readLatest(dir, run.manager, w -> { }).orElseThrow()) {
                assertEquals(k, c.step());
                t.restore(c);
                for (int i = k; i < n; i++) {
                    t.step();
                }
                assertEquals(n, t.currentStep());
                assertBitIdentical(straight, snapshot(t));
            }
        }
    }

    @Test
    void lossFallsOnAFixedBatchOfData() {
        try (TinyRun run = new TinyRun(); Trainer<UNet> t = run.trainer(run.objective, TinyRun.TRAIN.withSteps(40).withWarmup(1))) {
            double first = 0;
            double last = 0;
            for (int i = 0; i < 40; i++) {
                double loss = t.step().loss();
                if (i < 5) {
                    first += loss;
                }
                if (i >= 35) {
                    last += loss;
                }
            }
            assertTrue(last < first, "loss should fall: first " + first / 5 + ", last " + last / 5);
        }
    }

    @Test
    void nonFiniteStepsAreSkippedThenTrainingStops() {
        try (TinyRun run = new TinyRun()) {
            boolean[] poison = {false};
            Objective nanSometimes = (x0, labels, seed, step) -> {
                TrainingBatch b = run.objective.prepare(x0, labels, seed, step);
                return poison[0] ? new TrainingBatch(b.input(), b.t(), b.labels(), b.target().mul(Float.NaN), b.weight()) : b;
            };
            try (Trainer<UNet> t = run.trainer(nanSometimes, TinyRun.TRAIN)) {
                t.step();
                NDArray before = Params.arrays(t.model()).get("conv_in.weight").duplicate();
                poison[0] = true;
                Trainer.StepResult r = t.step();
                assertTrue(r.skipped());
                assertEquals(1, t.skippedSteps());
                assertTrue(before.contentEquals(Params.arrays(t.model()).get("conv_in.weight")), "a skipped step changes nothing");
                poison[0] = false;
                assertFalse(t.step().skipped(), "gradients were reset after the bad step");
                poison[0] = true;
                t.step();
                t.step();
                IllegalStateException e = assertThrows(IllegalStateException.class, t::step);
                assertTrue(e.getMessage().contains("3 consecutive steps"), e.getMessage());
            }
        }
    }
}
