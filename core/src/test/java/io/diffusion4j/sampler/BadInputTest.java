package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.GaussianMixtureDenoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.RectifiedFlow;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each public entry point names the bad parameter, its value and what is allowed. */
class BadInputTest {
    private static void refused(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    @Test
    void samplerNamesAndSettings() {
        DiscreteVp vp = DiscreteVp.defaults();
        refused(() -> Sampling.method("dpm-fast"), "unknown sampler 'dpm-fast'", "dpm++2m", "flow-euler");
        refused(() -> Sampling.method("ddim").choose(vp, 0, 0), "steps must be > 0, got 0");
        refused(() -> Sampling.method("dpm++2m").choose(vp, -5, 0), "steps must be > 0, got -5");
        refused(() -> Sampling.method("euler").choose(vp, 1001, 0), "steps must be <= num_train_timesteps (1000), got 1001");
        refused(() -> Sampling.method("ddim").choose(vp, 10, -0.1), "eta must be a finite number >= 0, got -0.1");
        refused(() -> Sampling.method("ddim").choose(vp, 10, Double.NaN), "eta", "NaN");
        refused(() -> Sampling.method("flow-euler").choose(vp, 10, 0), "flow-euler needs a rectified-flow model", "use one of ddpm, ddim");
        refused(() -> Sampling.method("ddim").choose(new RectifiedFlow(), 10, 0), "ddim needs a discrete-time", "flow-euler, flow-heun");
        refused(() -> Sampling.method("ddim").choose(KarrasSigmas.EDM, 10, 0), "ddim needs a discrete-time");
        refused(() -> new Ddim(-1), "eta must be a finite number >= 0, got -1.0");
        refused(() -> new DpmSolverPlusPlus(4), "solver_order must be in [1, 3], got 4");
        refused(() -> Sampling.method("dpm++2m-karras").choose(vp, 5000, 0), "steps must be <= num_train_timesteps (1000), got 5000");
        refused(() -> Sampling.method("flow-euler").choose(new RectifiedFlow(), 2000, 0), "steps must be <= num_train_timesteps (1000), got 2000");
    }

    @Test
    void mismatchedShapesAndLabels() {
        DiscreteVp vp = DiscreteVp.defaults();
        Plan plan = Plans.ddim(vp, 5, Spacing.LEADING, 0, true);
        GaussianMixtureDenoiser d = GaussianMixtureDenoiser.gaussian(4, 0, 1);
        SamplingLoop loop = new SamplingLoop(new Ddim(), d, plan);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(3, 4));
            refused(() -> loop.run(x, Conditioning.NONE, new NoiseSource(0), NoiseSource.range(0, 2)), "got 2 image indices for a batch of 3");
            refused(() -> loop.run(x, Conditioning.labels(m.create(new long[] {1, 2})), new NoiseSource(0), NoiseSource.range(0, 3)),
                    "labels must have shape (3)");
            refused(() -> loop.run(m.zeros(new Shape(3, 5)), Conditioning.NONE, new NoiseSource(0), NoiseSource.range(0, 3)),
                    "each row of x must have 4 values");
            refused(() -> loop.sample(m, new Shape(4), Conditioning.NONE, new NoiseSource(0), new long[0]), "at least one image");
            refused(() -> loop.run(x, Conditioning.labels(m.create(new long[] {1, 2, 3}, new Shape(3, 1))), new NoiseSource(0), NoiseSource.range(0, 3)),
                    "labels must have shape (3)");
            refused(() -> loop.run(x, Conditioning.NONE, new NoiseSource(0), null), "image indices must not be null");
        }
    }
}
