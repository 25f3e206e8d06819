package io.diffusion4j.sampler;

import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.RectifiedFlow;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowHeunTest {
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);

    @Test
    void isSecondOrderOnTheOdeSegment() {
        RectifiedFlow flow = new RectifiedFlow();
        double order = OdeFixtures.fitOrder("FlowHeun (t 1..0.05)", data, new FlowHeun(),
                n -> Plans.uniform(flow, n, 1.0, 0.05), 20, 40, 80, 160);
        assertEquals(2.0, order, 0.15);
    }

    @Test
    void costsTwoEvaluationsPerStepAndOneForTheFinalJump() {
        assertEquals(2 * 20 - 1, new FlowHeun().evaluations(Plans.flowMatch(new RectifiedFlow(), 20, 1000)));
    }

    @Test
    void refusesAKarrasPlan() {
        Plan plan = Plans.karras(KarrasSigmas.EDM, 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FlowHeun().checkPlan(plan));
        assertTrue(e.getMessage().contains("flow-heun needs a rectified-flow plan"), e.getMessage());
    }
}
