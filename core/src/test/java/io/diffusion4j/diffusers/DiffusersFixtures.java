package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The inputs of diffusers' scheduler test-suite ({@code tests/schedulers/test_schedulers.py}, class
 * {@code SchedulerCommonTest}), rebuilt in our conventions, and the statistic its full-loop tests check.
 * Everything here is written from the description of those tests, not copied from them.
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
     * scheduler hands the model (an integer for DDIM/DPM-Solver, a float for Euler/Heun). Whatever the
     * prediction type the test configures, the output is read as that type.
     */
    static final Network DUMMY_MODEL = (x, t, labels) -> {
        NDArray tb = t.toType(DataType.FLOAT32, false).reshape(x.getShape().get(0), 1, 1, 1);
        return x.mul(tb).div(tb.add(1));
    };

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
