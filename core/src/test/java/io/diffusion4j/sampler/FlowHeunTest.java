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
