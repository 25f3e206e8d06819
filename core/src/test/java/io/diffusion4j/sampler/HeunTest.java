package io.diffusion4j.sampler;

import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.Spacing;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HeunTest {
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);

    @Test
    void isSecondOrderOnTheOdeSegment() {
        double order = OdeFixtures.fitOrder("Heun (EDM ramp to sigma_min)", data, new Heun(),
                n -> OdeFixtures.karrasToSigmaMin(KarrasSigmas.EDM, n), 10, 20, 40, 80);
        assertEquals(2.0, order, 0.15);
    }

    @Test
    void isSecondOrderOnAVpPlan() {
        DiscreteVp vp = DiscreteVp.defaults();
        double order = OdeFixtures.fitOrder("Heun (VP uniform t 999..20)", data, new Heun(),
                n -> Plans.uniform(vp, n, 999, 20), 10, 20, 40, 80);
        assertEquals(2.0, order, 0.15);
    }

    @Test
    void costsTwoEvaluationsPerStepAndOneForTheFinalJump() {
        // diffusers' HeunDiscreteScheduler: timesteps of length 2N − 1 for N inference steps.
        assertEquals(19, new Heun().evaluations(Plans.euler(DiscreteVp.defaults(), 10, Spacing.LINSPACE, 0, false)));
        assertEquals(2 * 25 - 1, new Heun().evaluations(Plans.karras(KarrasSigmas.EDM, 25)));
        assertEquals(2 * 8, new Heun().evaluations(OdeFixtures.karrasToSigmaMin(KarrasSigmas.EDM, 8)));
    }
}
