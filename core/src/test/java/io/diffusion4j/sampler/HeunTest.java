package io.diffusion4j.sampler;

import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HeunTest {
    @Test
    void costsTwoEvaluationsPerStepAndOneForTheFinalJump() {
        // diffusers' HeunDiscreteScheduler: timesteps of length 2N − 1 for N inference steps.
        assertEquals(19, new Heun().evaluations(Plans.euler(DiscreteVp.defaults(), 10, Spacing.LINSPACE, 0, false)));
        assertEquals(2 * 25 - 1, new Heun().evaluations(Plans.karras(KarrasSigmas.EDM, 25)));
        assertEquals(2 * 8, new Heun().evaluations(OdeFixtures.karrasToSigmaMin(KarrasSigmas.EDM, 8)));
    }
}
