package io.diffusion4j.sampler;

import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowEulerTest {
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);

    @Test
    void refusesAVpPlan() {
        Plan vpPlan = Plans.euler(DiscreteVp.defaults(), 10, Spacing.LINSPACE, 0, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SamplingLoop(new FlowEuler(), data.denoiser(), vpPlan));
        assertTrue(e.getMessage().contains("flow-euler needs a rectified-flow plan"), e.getMessage());
        assertTrue(e.getMessage().contains("DiscreteVp"), e.getMessage());
    }

}
