package io.diffusion4j.sampler;

import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.RectifiedFlow;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowEulerTest {
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);

    @Test
    void isFirstOrderOnTheOdeSegment() {
        RectifiedFlow flow = new RectifiedFlow();
        double order = OdeFixtures.fitOrder("FlowEuler (t 1..0.05)", data, new FlowEuler(),
                n -> Plans.uniform(flow, n, 1.0, 0.05), 10, 20, 40, 80);
        assertEquals(1.0, order, 0.15);
    }

    @Test
    void refusesAVpPlan() {
        Plan vpPlan = Plans.euler(DiscreteVp.defaults(), 10, Spacing.LINSPACE, 0, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SamplingLoop(new FlowEuler(), data.denoiser(), vpPlan));
        assertTrue(e.getMessage().contains("flow-euler needs a rectified-flow plan"), e.getMessage());
        assertTrue(e.getMessage().contains("DiscreteVp"), e.getMessage());
    }

    @Test
    void isFirstOrderOnAShiftedFlowMatchPlanCutAtItsLastNonZeroSigma() {
        RectifiedFlow shifted = new RectifiedFlow(3.0);  // SD3's shift
        double order = OdeFixtures.fitOrder("FlowEuler (flowMatch shift 3, to sigma_min)", data, new FlowEuler(),
                n -> OdeFixtures.withoutCleanEnd(Plans.flowMatch(shifted, n + 1, 1000)), 10, 20, 40, 80);
        assertEquals(1.0, order, 0.15);
    }
}
