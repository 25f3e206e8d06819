package io.diffusion4j.sampler;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.GaussianMixtureDenoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Only the result of a run stays on the caller's manager; nothing stays after a failure. */
class SamplingLoopMemoryTest {
    private final GaussianMixtureDenoiser data = GaussianMixtureDenoiser.gaussian(4, 0.2, 0.5);

    @Test
    void everyNamedSamplerLeavesOnlyItsResult() {
        for (Sampling.Method method : Sampling.Method.values()) {
            if (method.isFlow()) {
                continue;
            }
            Sampling.Choice c = method.choose(DiscreteVp.defaults(), 12);
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray start = m.ones(new Shape(3, 4));
                NDArray out = new SamplingLoop(c.sampler(), data, c.plan()).run(start, Conditioning.NONE, new NoiseSource(0), NoiseSource.range(0, 3));
                assertEquals(2, ((BaseNDManager) m).getManagedArrays().size(), method + ": start and result only");
                out.close();
            }
        }
    }

    @Test
    void aCancelledMultistepRunLeavesNothingBehind() {
        Sampling.Choice c = Sampling.method("dpm++3m").choose(DiscreteVp.defaults(), 20);
        int[] calls = {0};
        Denoiser failing = (x, level, cond) -> {
            if (++calls[0] == 10) {
                throw new CancellationException("stop at call 10");
            }
            return data.denoise(x, level, cond);
        };
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray start = m.ones(new Shape(3, 4));
            SamplingLoop loop = new SamplingLoop(c.sampler(), failing, c.plan());
            assertThrows(CancellationException.class, () -> loop.run(start, Conditioning.NONE, new NoiseSource(0), NoiseSource.range(0, 3)));
            assertEquals(1, ((BaseNDManager) m).getManagedArrays().size(), "only the caller's start array");
        }
    }
}
