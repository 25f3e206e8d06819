package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.EdmPreconditioning;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.model.NetworkDenoiser;
import io.diffusion4j.model.Prediction;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.RectifiedFlow;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static io.diffusion4j.diffusers.DiffusersFixtures.DUMMY_MODEL;
import static io.diffusion4j.diffusers.DiffusersFixtures.sampleDeter;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The standard {@link ModelConvention}s: timesteps and their inverse, inputs and outputs, against closed forms. */
class ModelConventionTest {
    private static final DiscreteVp VP = DiscreteVp.defaults();

    @Test
    void timestepsAndTheirInverse() {
        ModelConvention eps = ModelConvention.of(Prediction.EPSILON);
        assertEquals(500.0, eps.timestep(VP.level(500)), 0);
        assertEquals(VP.level(500), eps.level(VP, 500));

        RectifiedFlow flow = new RectifiedFlow();
        ModelConvention velocity = ModelConvention.flow(1000);
        assertEquals(250.0, velocity.timestep(flow.level(0.25)), 1e-12, "flow timesteps are σ·T");
        assertEquals(0.25, velocity.level(flow, 250).sigma(), 1e-15);

        // EDM: c_noise = ¼·ln σ in float32; σ = e^{4t} back
        ModelConvention edm = new ModelConvention.Edm(EdmPreconditioning.EDM);
        double t = edm.timestep(new NoiseLevel(3, 1, 3));
        assertEquals((float) (0.25 * Math.log(3)), t, 0);
        assertEquals(3.0, edm.level(KarrasSigmas.EDM, t).sigma(), 1e-6);

        // consistency models: 250·ln σ, σ = e^{t/250} back
        ModelConvention cm = new ModelConvention.Consistency(0.002, 0.5);
        assertEquals(250 * Math.log(3), cm.timestep(new NoiseLevel(3, 1, 3)), 1e-12);
        assertEquals(3.0, cm.level(KarrasSigmas.EDM, 250 * Math.log(3)).sigma(), 1e-12);
    }

    @Test
    void predictionTypeOnlyWhereTheOutputIsOne() {
        assertEquals(Optional.of(Prediction.V), ModelConvention.of(Prediction.V).prediction());
        assertEquals(Optional.of(Prediction.VELOCITY), ModelConvention.flow(1000).prediction());
        assertEquals(Optional.empty(), new ModelConvention.Edm(EdmPreconditioning.EDM).prediction());
        assertEquals(Optional.empty(), new ModelConvention.Consistency(0.002, 0.5).prediction());
    }

    /** With a prediction type the denoiser of a network is {@link NetworkDenoiser}'s. */
    @Test
    void predictingDenoiserIsTheNetworkDenoiser() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = sampleDeter(m);
            NoiseLevel level = VP.level(700);
            Estimate ours = ModelConvention.of(Prediction.V).denoiser(DUMMY_MODEL).denoise(x, level, Conditioning.NONE);
            Estimate theirs = new NetworkDenoiser(DUMMY_MODEL, Prediction.V).denoise(x, level, Conditioning.NONE);
            assertArrayEquals(theirs.x0().toFloatArray(), ours.x0().toFloatArray(), 0f);
            assertArrayEquals(theirs.eps().toFloatArray(), ours.eps().toFloatArray(), 0f);
        }
    }

    /**
     * EDM at σ = 2, σ_d = 0.5 on the dummy model F(u, t) = u·t/(t + 1): u = c_in·x with c_in = 1/√4.25, t = ¼·ln 2,
     * x̂₀ = c_skip·x + c_out·F with c_skip = 0.25/4.25, c_out = 1/√4.25 (by hand), so x̂₀ = k·x with one k.
     */
    @Test
    void edmDenoiserPreconditionsInputTimestepAndOutput() {
        double cIn = 1 / Math.sqrt(4.25);
        double t = (float) (0.25 * Math.log(2));
        double k = 0.25 / 4.25 + cIn * cIn * t / (t + 1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = sampleDeter(m);
            NoiseLevel level = new NoiseLevel(2, 1, 2);
            ModelConvention edm = new ModelConvention.Edm(EdmPreconditioning.EDM);
            assertArrayEquals(x.mul(cIn).toFloatArray(), edm.modelInput(x, level).toFloatArray(), 1e-7f);
            Estimate e = edm.denoiser(DUMMY_MODEL).denoise(x, level, Conditioning.NONE);
            assertArrayEquals(x.mul(k).toFloatArray(), e.x0().toFloatArray(), 1e-6f);
            assertArrayEquals(x.mul((1 - k) / 2).toFloatArray(), e.eps().toFloatArray(), 1e-6f, "ε̂ = (x − x̂₀)/σ");
        }
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        assertThrows(IllegalArgumentException.class, () -> ModelConvention.flow(0));
        assertThrows(IllegalArgumentException.class, () -> new ModelConvention.Predicting(null, 1));
        assertThrows(IllegalArgumentException.class, () -> new ModelConvention.Predicting(Prediction.EPSILON, 0));
        assertThrows(IllegalArgumentException.class, () -> new ModelConvention.Consistency(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new ModelConvention.Edm(null));
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> new ModelConvention.Edm(EdmPreconditioning.EDM).level(KarrasSigmas.EDM, Double.NaN));
        assertEquals("timestep must be a finite number, got NaN", nan.getMessage());
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class, () -> ModelConvention.of(Prediction.EPSILON)
                .level(VP, 1000));
        assertEquals("t must be in [0.0, 999.0], got 1000.0", outside.getMessage());
    }
}
