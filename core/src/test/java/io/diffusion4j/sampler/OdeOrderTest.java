package io.diffusion4j.sampler;

import io.diffusion4j.sampler.OdeFixtures.OrderCase;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.RectifiedFlow;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

/**
 * Convergence order of the single-step ODE samplers on the ODE segment (CONTRACT.md: fixed start, the
 * exact probability-flow map to the last non-zero σ as reference, Gaussian data with its exact
 * denoiser), fitted over four step counts; the expected slope within ±0.15.
 */
class OdeOrderTest {
    private static final GaussianData DATA = new GaussianData(4, 0.3, 0.5);

    static Stream<OrderCase> cases() {
        DiscreteVp vp = DiscreteVp.defaults();
        RectifiedFlow flow = new RectifiedFlow();
        RectifiedFlow sd3 = new RectifiedFlow(3.0);  // SD3's shift
        int[] usual = {10, 20, 40, 80};
        return Stream.of(
                new OrderCase("Euler (EDM ramp to sigma_min)", new Euler(), n -> OdeFixtures.karrasToSigmaMin(KarrasSigmas.EDM, n), 1, usual),
                new OrderCase("Euler (VP uniform t 999..20)", new Euler(), n -> Plans.uniform(vp, n, 999, 20), 1, usual),
                new OrderCase("Heun (EDM ramp to sigma_min)", new Heun(), n -> OdeFixtures.karrasToSigmaMin(KarrasSigmas.EDM, n), 2, usual),
                new OrderCase("Heun (VP uniform t 999..20)", new Heun(), n -> Plans.uniform(vp, n, 999, 20), 2, usual),
                new OrderCase("FlowEuler (t 1..0.05)", new FlowEuler(), n -> Plans.uniform(flow, n, 1.0, 0.05), 1, usual),
                new OrderCase("FlowEuler (flowMatch shift 3, to sigma_min)", new FlowEuler(),
                        n -> OdeFixtures.withoutCleanEnd(Plans.flowMatch(sd3, n + 1, 1000)), 1, usual),
                new OrderCase("FlowHeun (t 1..0.05)", new FlowHeun(), n -> Plans.uniform(flow, n, 1.0, 0.05), 2, new int[] {20, 40, 80, 160}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void convergesAtItsOrder(OrderCase c) {
        c.assertOrder(DATA);
    }
}
