package io.diffusion4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.RectifiedFlow;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PredictionTest {
    @Test
    void everyPredictionRoundTripsToTheTrueX0AndEps() {
        DiscreteVp vp = DiscreteVp.defaults();
        RectifiedFlow rf = new RectifiedFlow();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = new NoiseSource(1).normal(m, new Shape(6), 0, 3, 0);
            NDArray eps = new NoiseSource(2).normal(m, new Shape(6), 0, 3, 0);
            for (Prediction p : Prediction.values()) {
                NoiseLevel[] levels = p == Prediction.VELOCITY
                        ? new NoiseLevel[] {rf.level(0.05), rf.level(0.5), rf.level(0.95)}
                        : new NoiseLevel[] {vp.level(3), vp.level(500), vp.level(990)};
                for (NoiseLevel l : levels) {
                    NDArray x = x0.mul(l.alpha()).add(eps.mul(l.sigma()));
                    Estimate e = p.toEstimate(p.target(x0, eps, l), x, l);
                    // float32 arithmetic; x̂₀ from ε at high noise divides by a small α
                    double tol = 2e-6 / Math.min(l.alpha(), l.sigma());
                    assertArrayEquals(x0.toFloatArray(), e.x0().toFloatArray(), (float) tol, p + " x0 at " + l);
                    assertArrayEquals(eps.toFloatArray(), e.eps().toFloatArray(), (float) tol, p + " eps at " + l);
                }
            }
        }
    }

    @Test
    void vTargetIsAlphaEpsMinusSigmaX0ByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            NoiseLevel l = new NoiseLevel(0, 0.6, 0.8);
            NDArray v = Prediction.V.target(m.create(new float[] {1f}), m.create(new float[] {2f}), l);
            assertEquals(0.6 * 2 - 0.8 * 1, v.getFloat(0), 1e-7);
            NDArray u = Prediction.VELOCITY.target(m.create(new float[] {1f}), m.create(new float[] {2f}), l);
            assertEquals(1.0, u.getFloat(0), 0);
        }
    }

    @Test
    void namesFollowDiffusers() {
        assertEquals(Prediction.V, Prediction.fromName("v_prediction"));
        assertEquals(Prediction.EPSILON, Prediction.fromName("epsilon"));
        assertEquals(Prediction.VELOCITY, Prediction.fromName("flow_prediction"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Prediction.fromName("noise"));
        assertEquals("prediction_type must be one of epsilon, sample, v_prediction, flow_prediction; got noise", e.getMessage());
    }
}
