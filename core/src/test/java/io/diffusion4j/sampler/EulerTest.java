package io.diffusion4j.sampler;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.RectifiedFlow;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EulerTest {
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);

    @Test
    void equalsDeterministicDdimBecauseBothAreTheSameUpdateInExactArithmetic() {
        Plan plan = Plans.euler(DiscreteVp.defaults(), 12, io.diffusion4j.schedule.Spacing.LINSPACE, 0, false);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] euler = OdeFixtures.trajectory(m, data, new Euler(), plan, 16).end();
            float[] ddim = OdeFixtures.trajectory(m, data, new Ddim(), plan, 16).end();
            double diff = OdeFixtures.maxAbsDiff(euler, ddim);
            assertTrue(diff < 1e-4, "euler and ddim(eta=0) differ by " + diff);
        }
    }

    @Test
    void refusesALevelWithoutSignal() {
        Plan flowFromPureNoise = Plans.uniform(new RectifiedFlow(), 10, 1.0, 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Euler().checkPlan(flowFromPureNoise));
        assertTrue(e.getMessage().contains("alpha > 0"), e.getMessage());
    }
}
