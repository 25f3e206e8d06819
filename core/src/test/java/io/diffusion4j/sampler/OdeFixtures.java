package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plans and the order fit shared by the deterministic-sampler tests (CONTRACT.md, "Tests of the mathematics"). */
final class OdeFixtures {
    private OdeFixtures() {}

    /** EDM's ρ = 7 ramp of {@code schedule} with N steps ending at σ_min (no jump to σ = 0). */
    static Plan karrasToSigmaMin(KarrasSigmas schedule, int steps) {
        return withoutCleanEnd(Plans.karras(schedule, steps + 1));
    }

    /** A chained plan without its final jump to σ = 0: it ends at the last non-zero level. */
    static Plan withoutCleanEnd(Plan plan) {
        List<NoiseLevel> levels = plan.levels();
        return Plan.chain(plan.schedule(), levels.subList(0, levels.size() - 1), plan.initNoiseScale());
    }

    /**
     * Fits the convergence order of {@code sampler} on the ODE segment: errors against the exact
     * probability-flow map at each step count, printed, checked to fall, and their slope returned.
     */
    static double fitOrder(String name, GaussianData data, Sampler sampler, IntFunction<Plan> plans, int... steps) {
        double[] err = new double[steps.length];
        try (NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < steps.length; i++) {
                Plan plan = plans.apply(steps[i]);
                assertTrue(!plan.end().isClean(), "the order fit needs a plan that ends at a non-zero sigma");
                err[i] = data.flowError(m, sampler, plan, 64);
            }
        }
        double order = GaussianData.order(steps, err);
        System.out.printf("%s steps %s errors %s order %.3f%n", name, Arrays.toString(steps), Arrays.toString(err), order);
        for (int i = 1; i < err.length; i++) {
            assertTrue(err[i] < err[i - 1], name + ": error must fall with more steps: " + Arrays.toString(err));
        }
        return order;
    }

    /**
     * A case of a parameterized convergence-order test: {@code sampler} over {@code plans.apply(n)} for each step
     * count n of {@code steps}, promising {@code order}.
     */
    record OrderCase(String name, Sampler sampler, IntFunction<Plan> plans, double order, int[] steps) {
        @Override
        public String toString() {
            return name;
        }

        /** Fits the order on {@code data} ({@link #fitOrder}) and asserts it within ±0.15 of the promised one. */
        void assertOrder(GaussianData data) {
            assertEquals(order, fitOrder(name, data, sampler, plans, steps), 0.15, name);
        }
    }

    /** The samples after each step and each step's x̂₀, rows flattened: {@code x[i]}, {@code x0[i]} for step i. */
    record Trajectory(float[] start, float[][] x, float[][] x0) {
        float[] end() {
            return x[x.length - 1];
        }
    }

    /** Runs {@code sampler} over {@code plan} from the data's fixed start (n rows), recording every step. */
    static Trajectory trajectory(NDManager m, GaussianData data, Sampler sampler, Plan plan, int n) {
        return trajectory(data.denoiser(), data.start(m, n, plan.point(0), 7), sampler, plan);
    }

    /** Runs {@code sampler} with {@code denoiser} over {@code plan} from {@code start}, recording every step. */
    static Trajectory trajectory(Denoiser denoiser, NDArray start, Sampler sampler, Plan plan) {
        int n = (int) start.getShape().get(0);
        float[][] xs = new float[plan.steps()][];
        float[][] x0s = new float[plan.steps()][];
        SamplerObserver record = (i, steps, x, x0) -> {
            xs[i] = x.toFloatArray();
            x0s[i] = x0.toFloatArray();
        };
        new SamplingLoop(sampler, denoiser, plan).withObserver(record)
                .run(start, Conditioning.NONE, new NoiseSource(1), NoiseSource.range(0, n));
        return new Trajectory(start.toFloatArray(), xs, x0s);
    }

    /** Largest |a − b| over all entries. */
    static double maxAbsDiff(float[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    /** Largest |a − b| over all entries. */
    static double maxAbsDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
