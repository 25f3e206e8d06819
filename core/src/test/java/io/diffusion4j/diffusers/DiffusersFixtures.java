package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.model.Network;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.sampler.History;
import io.diffusion4j.sampler.Sampler;
import io.diffusion4j.sampler.SamplingLoop;
import io.diffusion4j.sampler.StepContext;
import io.diffusion4j.sampler.Stepped;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The inputs of diffusers' scheduler test-suite ({@code tests/schedulers/test_schedulers.py}, class
 * {@code SchedulerCommonTest}), rebuilt in our conventions, and the statistic its full-loop tests check;
 * the suites' configs and their loops ({@code full_loop}, {@code test_full_loop_with_noise}) written against
 * the {@link Scheduler} API, so each test class states only its suite's fields and constants. Everything here
 * is written from the description of those tests, not copied from them.
 */
final class DiffusersFixtures {
    private DiffusersFixtures() {}

    /** Batch, channels, height, width of every dummy tensor of the suite. */
    static final Shape SHAPE = new Shape(4, 3, 8, 8);
    private static final int ELEMS = 4 * 3 * 8 * 8;

    /**
     * {@code SchedulerCommonTest.dummy_sample_deter}: the integers 0 … 767 laid out as (C, H, W, B) = (3, 8,
     * 8, 4), divided by 768 in float32 and permuted to (B, C, H, W). Element (b, c, h, w) is
     * (256·c + 32·h + 4·w + b)/768.
     */
    static NDArray sampleDeter(NDManager m) {
        return arangeSample(m, false);
    }

    /** {@code SchedulerCommonTest.dummy_noise_deter}: the same with the integers reversed, (767 − k)/768. */
    static NDArray noiseDeter(NDManager m) {
        return arangeSample(m, true);
    }

    private static NDArray arangeSample(NDManager m, boolean flipped) {
        float[] v = new float[ELEMS];
        for (int b = 0; b < 4; b++) {
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < 8; h++) {
                    for (int w = 0; w < 8; w++) {
                        int k = 256 * c + 32 * h + 4 * w + b;
                        int value = flipped ? ELEMS - 1 - k : k;
                        v[((b * 3 + c) * 8 + h) * 8 + w] = (float) value / (float) ELEMS;
                    }
                }
            }
        }
        return m.create(v, SHAPE);
    }

    /**
     * {@code SchedulerCommonTest.dummy_model}: output = input·t/(t + 1) in float32, t being the timestep the
     * scheduler hands the model (an integer for DDIM/DPM-Solver, a float for Euler/Heun), one per sample; the
     * input may have any rank (the 1-D suites use (4, 3, 8)). Whatever the prediction type the test
     * configures, the output is read as that type.
     */
    static final Network DUMMY_MODEL = (x, t, labels) -> {
        long[] perSample = new long[x.getShape().dimension()];
        Arrays.fill(perSample, 1);
        perSample[0] = x.getShape().get(0);
        NDArray tb = t.toType(DataType.FLOAT32, false).reshape(new Shape(perSample));
        return x.mul(tb).div(tb.add(1));
    };

    /** {@link #DUMMY_MODEL} called as the suites call it, {@code model(sample, t)}, with one scalar timestep for the batch. */
    static NDArray model(NDArray sample, double t) {
        return DUMMY_MODEL.apply(sample, sample.getManager().full(new Shape(sample.getShape().get(0)), (float) t), null);
    }

    /** sum(|x|), accumulated in double. */
    static double sumAbs(NDArray x) {
        double s = 0;
        for (float v : x.toType(DataType.FLOAT32, false).toFloatArray()) {
            s += Math.abs(v);
        }
        return s;
    }

    /** mean(|x|). */
    static double meanAbs(NDArray x) {
        return sumAbs(x) / x.size();
    }

    /** Runs {@code sampler} over {@code plan} from {@code start} with {@code denoiser}; the loop's noise is unused. */
    static NDArray run(Sampler sampler, Denoiser denoiser, Plan plan, NDArray start) {
        return new SamplingLoop(sampler, denoiser, plan).run(start, Conditioning.NONE, new NoiseSource(0), NoiseSource.range(0, 4));
    }

    /** The steps {@code from} … end of a plan, as a plan of their own (diffusers' tests that start at {@code t_start}). */
    static Plan tail(Plan plan, int from) {
        return new Plan(plan.schedule(), plan.points().subList(from, plan.steps()),
                plan.targets().subList(from, plan.steps()), plan.initNoiseScale());
    }

    /**
     * Asserts diffusers' published statistics with diffusers' own tolerances (absolute), and prints ours.
     * A NaN {@code expectedSum} means the test publishes only the mean.
     */
    static void assertStats(String what, NDArray result, double expectedSum, double sumTol, double expectedMean, double meanTol) {
        double sum = sumAbs(result);
        double mean = meanAbs(result);
        System.out.printf("diffusers %-60s sum %.6f (published %.6f ± %g)  mean %.8g (published %.8g ± %g)%n",
                what, sum, expectedSum, sumTol, mean, expectedMean, meanTol);
        if (!Double.isNaN(expectedSum)) {
            assertEquals(expectedSum, sum, sumTol, what + ": result_sum");
        }
        assertEquals(expectedMean, mean, meanTol, what + ": result_mean");
    }

    // ---- the Scheduler API side: the suites' configs and their loops, written against the API ----

    /** A new mutable config map holding the given key/value pairs, in order. */
    static Map<String, Object> fields(Object... keyValues) {
        return with(new LinkedHashMap<>(), keyValues);
    }

    /** A copy of {@code base} with the given key/value pairs put in order (a key already there keeps its place). */
    static Map<String, Object> with(Map<String, Object> base, Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values come in pairs, got " + keyValues.length + " items");
        }
        Map<String, Object> c = new LinkedHashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            c.put((String) keyValues[i], keyValues[i + 1]);
        }
        return c;
    }

    /**
     * {@code get_scheduler_config} of the VP suites: T = 1000, linear β 1e-4 … 0.02, then the given key/value
     * pairs (e.g. {@code "num_train_timesteps", 1100} for the σ-view suites).
     */
    static Map<String, Object> vpConfig(Object... more) {
        return with(fields("num_train_timesteps", 1000, "beta_start", 0.0001, "beta_end", 0.02, "beta_schedule", "linear"), more);
    }

    /**
     * {@code base} with the fields the DPM-Solver suites' {@code get_scheduler_config} share ({@code
     * test_scheduler_dpm_multi.py}, {@code _dpm_single.py}, {@code _dpm_multi_inverse.py}, {@code
     * _edm_dpmsolver_multistep.py}): {@code solver_order=2}, {@code epsilon}, no thresholding ({@code
     * sample_max_value=1.0}), {@code dpmsolver++}, {@code midpoint}; then the given key/value pairs.
     */
    static Map<String, Object> dpmSolverConfig(Map<String, Object> base, Object... more) {
        return with(with(base, "solver_order", 2, "prediction_type", "epsilon", "thresholding", false, "sample_max_value", 1.0,
                "algorithm_type", "dpmsolver++", "solver_type", "midpoint"), more);
    }

    /** {@code className.from_config(fields)}: the scheduler {@link DiffusersClass} makes of the config. */
    static Scheduler scheduler(String className, Map<String, ?> fields) {
        return Scheduler.fromConfig(SchedulerConfig.of(className, fields));
    }

    /** diffusers' {@code X.from_config(scheduler.config)} through the given classes, in order. */
    static Scheduler switchThrough(Scheduler scheduler, String... classNames) {
        Scheduler s = scheduler;
        for (String name : classNames) {
            s = scheduler(name, s.config().fields());
        }
        return s;
    }

    /**
     * The loop of the suites whose model sees the scheduler's sample itself (DDIM, DPM-Solver, UniPC, DEIS,
     * PNDM, the inverse classes, EDM DPM-Solver), from timestep index {@code from} on: {@code residual =
     * model(sample, t)}, {@code sample = step(residual, t, sample).prev_sample}.
     */
    static NDArray loop(SchedulerRun run, NDArray sample, int from) {
        double[] ts = run.timesteps();
        for (int i = from; i < ts.length; i++) {
            sample = run.step(model(sample, ts[i]), ts[i], sample).prevSample();
        }
        return sample;
    }

    /**
     * The σ-view suites' loop (Euler, Heun, LMS, KDPM2), from timestep index {@code from} on: {@code sample =
     * scale_model_input(sample, t)}, and that scaled sample passed both to the model and to {@code step} (the
     * suites' habit; the API takes whatever it is given as the scheduler's sample).
     */
    static NDArray scaledLoop(SchedulerRun run, NDArray sample, int from) {
        double[] ts = run.timesteps();
        for (int i = from; i < ts.length; i++) {
            sample = run.scaleModelInput(sample, ts[i]);
            sample = run.step(model(sample, ts[i]), ts[i], sample).prevSample();
        }
        return sample;
    }

    /**
     * A pipeline's loop, from timestep index {@code from} on: the model sees {@code scale_model_input(sample,
     * t)}, {@code step} gets the unscaled sample.
     */
    static NDArray pipelineLoop(SchedulerRun run, NDArray sample, int from) {
        double[] ts = run.timesteps();
        for (int i = from; i < ts.length; i++) {
            sample = run.step(model(run.scaleModelInput(sample, ts[i]), ts[i]), ts[i], sample).prevSample();
        }
        return sample;
    }

    /** {@code full_loop} of the suites without input scaling: 10 steps of {@link #loop} from {@code start}. */
    static NDArray fullLoop(Scheduler scheduler, NDArray start) {
        return fullLoop(scheduler, start, 10);
    }

    /** {@code full_loop} of the suites without input scaling: {@code set_timesteps(steps)}, then {@link #loop} from {@code start}. */
    static NDArray fullLoop(Scheduler scheduler, NDArray start, int steps) {
        return loop(scheduler.setTimesteps(steps), start, 0);
    }

    /** The σ-view suites' {@code full_loop}: {@link #scaledLoop} from {@code dummy_sample_deter}·{@code init_noise_sigma}. */
    static NDArray scaledFullLoop(NDManager m, Scheduler scheduler, int steps) {
        SchedulerRun run = scheduler.setTimesteps(steps);
        return scaledLoop(run, sampleDeter(m).mul(run.initNoiseSigma()), 0);
    }

    /** A pipeline's full loop: {@link #pipelineLoop} from {@code dummy_sample_deter}·{@code init_noise_sigma}. */
    static NDArray pipelineFullLoop(NDManager m, Scheduler scheduler, int steps) {
        SchedulerRun run = scheduler.setTimesteps(steps);
        return pipelineLoop(run, sampleDeter(m).mul(run.initNoiseSigma()), 0);
    }

    /**
     * {@code test_full_loop_with_noise} of the suites without input scaling: {@code set_timesteps(10)}, {@code
     * add_noise(sample, noise, timesteps[from])}, then {@link #loop} from there.
     */
    static NDArray loopWithNoise(Scheduler scheduler, NDArray sample, NDArray noise, int from) {
        SchedulerRun run = scheduler.setTimesteps(10);
        return loop(run, run.addNoise(sample, noise, run.timesteps()[from]), from);
    }

    /**
     * The σ-view suites' {@code test_full_loop_with_noise}: {@code set_timesteps(10)}, {@code
     * add_noise(dummy_sample_deter·init_noise_sigma, dummy_noise_deter, timesteps[from])}, then {@link
     * #scaledLoop} from there ({@code from} = t_start·order).
     */
    static NDArray scaledLoopWithNoise(NDManager m, Scheduler scheduler, int from) {
        SchedulerRun run = scheduler.setTimesteps(10);
        NDArray start = run.addNoise(sampleDeter(m).mul(run.initNoiseSigma()), noiseDeter(m), run.timesteps()[from]);
        return scaledLoop(run, start, from);
    }

    /**
     * One case of a JSON resource made by running diffusers' own classes ({@code timesteps.json}, {@code
     * loops.json}, beside these tests with the scripts that wrote them): the class name, its config, the step
     * count, and the whole case object for the expected values.
     */
    record DiffusersCase(String className, Map<String, Object> config, int steps, JsonObject json) {}

    /** The {@code cases} of such a resource, in file order. */
    static List<DiffusersCase> cases(String resource) throws IOException {
        JsonObject file;
        try (Reader r = new InputStreamReader(DiffusersFixtures.class.getResourceAsStream(resource), StandardCharsets.UTF_8)) {
            file = JsonParser.parseReader(r).getAsJsonObject();
        }
        Gson gson = new Gson();
        List<DiffusersCase> out = new ArrayList<>();
        for (JsonElement e : file.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            @SuppressWarnings("unchecked")
            Map<String, Object> config = gson.fromJson(c.get("config"), Map.class);
            out.add(new DiffusersCase(c.get("class").getAsString(), config, c.get("steps").getAsInt(), c));
        }
        return out;
    }

    /**
     * The loop of diffusers' {@code EulerDiscreteSchedulerTest} / {@code HeunDiscreteSchedulerTest}
     * ({@code full_loop}, {@code test_full_loop_*}) in our native scaling.
     *
     * <p>Those tests write {@code sample = scheduler.scale_model_input(sample, t)} and then pass that
     * <em>scaled</em> sample both to the model and to {@code scheduler.step}, which takes it for the
     * variance-exploding sample x̃. A correct pipeline keeps x̃ and only gives the model x̃/√(σ² + 1). So each
     * step of the test (i) shrinks the state x̃ by α = 1/√(σ² + 1) before updating it, while the model at the
     * step's first evaluation still sees the unshrunk x̃·α (our native x), and (ii) converts every model
     * output into x̂₀/ε̂ as if the model input u were x̃, that is as if our native sample were α·u (this only
     * matters for v-prediction). This decorator applies (i) and (ii) around one of our samplers, which
     * itself is left untouched; with it our {@code Euler}/{@code Heun} must reproduce the published numbers.
     *
     * @param inner our sampler
     * @param network the raw network (diffusers' dummy model)
     * @param prediction how diffusers reads its output
     */
    record ScaledSampleReused(Sampler inner, Network network, Prediction prediction) implements Sampler {
        @Override
        public Stepped step(StepContext ctx, NDArray x, History history) {
            NDArray shrunk = x.mul(ctx.from().alpha());
            Denoiser asInTheTest = (y, level, cond) -> {
                NDArray modelInput = y == shrunk ? x : y;
                NDArray t = y.getManager().full(new Shape(y.getShape().get(0)), (float) level.t());
                NDArray out = network.apply(modelInput, t, null);
                return prediction.toEstimate(out, modelInput.mul(level.alpha()), level);
            };
            StepContext quirky = new StepContext(asInTheTest, ctx.plan(), ctx.index(), ctx.cond(), ctx.noise());
            return inner.step(quirky, shrunk, history);
        }

        @Override
        public int evaluations(Plan plan) {
            return inner.evaluations(plan);
        }

        @Override
        public void checkPlan(Plan plan) {
            inner.checkPlan(plan);
        }
    }
}
