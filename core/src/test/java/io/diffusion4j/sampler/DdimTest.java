package io.diffusion4j.sampler;

import ai.djl.ndarray.NDManager;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DdimTest {
    private final GaussianData data = new GaussianData(4, 0.3, 0.5);

    @Test
    void deterministicDdimIsFirstOrderOnTheOdeSegment() {
        DiscreteVp vp = DiscreteVp.defaults();
        int[] steps = {10, 20, 40, 80};
        double[] err = new double[steps.length];
        try (NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < steps.length; i++) {
                Plan plan = Plans.uniform(vp, steps[i], 999, 20);
                err[i] = data.flowError(m, new Ddim(), plan, 64);
            }
        }
        double order = GaussianData.order(steps, err);
        System.out.printf("DDIM(eta=0) errors %s order %.3f%n", java.util.Arrays.toString(err), order);
        assertEquals(1.0, order, 0.15);
        for (int i = 1; i < err.length; i++) {
            assertTrue(err[i] < err[i - 1], "error must fall with more steps: " + java.util.Arrays.toString(err));
        }
    }
}
