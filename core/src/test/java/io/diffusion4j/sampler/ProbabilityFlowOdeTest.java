package io.diffusion4j.sampler;

import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.RectifiedFlow;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbabilityFlowOdeTest {
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);

    // Few steps on purpose: at 80 steps the error (~3e-6) is already float32 round-off of the samples.
    @Test
    void isFourthOrderOnTheOdeSegment() {
        double order = OdeFixtures.fitOrder("PF-ODE RK4 (EDM ramp to sigma_min)", data, new ProbabilityFlowOde(),
                n -> OdeFixtures.karrasToSigmaMin(KarrasSigmas.EDM, n), 10, 15, 20, 30, 40);
        assertEquals(4.0, order, 0.3);
    }

    @Test
    void midpointLevelsOfAVpScheduleKeepItHighOrder() {
        DiscreteVp vp = DiscreteVp.defaults();
        double order = OdeFixtures.fitOrder("PF-ODE RK4 (VP uniform t 999..20)", data, new ProbabilityFlowOde(),
                n -> Plans.uniform(vp, n, 999, 20), 5, 10, 20);
        assertTrue(order > 3.3, "order " + order);
    }

    @Test
    void followsARectifiedFlowBelowPureNoise() {
        double order = OdeFixtures.fitOrder("PF-ODE RK4 (flow t 0.95..0.05)", data, new ProbabilityFlowOde(),
                n -> Plans.uniform(new RectifiedFlow(), n, 0.95, 0.05), 5, 10, 20);
        assertEquals(4.0, order, 0.4);
    }

    @Test
    void costsFourEvaluationsPerStepAndOneForTheFinalJump() {
        assertEquals(4 * 9 + 1, new ProbabilityFlowOde().evaluations(Plans.karras(KarrasSigmas.EDM, 10)));
        assertEquals(4 * 10, new ProbabilityFlowOde().evaluations(OdeFixtures.karrasToSigmaMin(KarrasSigmas.EDM, 10)));
    }
}
