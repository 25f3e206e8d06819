package io.diffusion4j.schedule;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlansTest {
    private final DiscreteVp vp = DiscreteVp.defaults();

    @Test
    void everyPlanEndsAtTheCleanSample() {
        for (Spacing s : Spacing.values()) {
            for (int n : new int[] {1, 7, 10, 50}) {
                Plan ddim = Plans.ddim(vp, n, s, 0, true);
                // diffusers steps to t − T div N: clean below 0, ᾱ_0 when that lands exactly on 0
                boolean landsOnZero = ddim.point(n - 1).t() == 1000 / n;
                assertEquals(landsOnZero ? vp.sigma(0) : 0.0, ddim.end().sigma(), 0, "ddim " + s + " " + n);
                assertTrue(Plans.dpmSolver(vp, n, s, 0, FinalSigma.ZERO, false).end().isClean());
                assertTrue(Plans.euler(vp, n, s, 0, false).end().isClean());
            }
        }
        assertTrue(Plans.flowMatch(new RectifiedFlow(), 10, 1000).end().isClean());
        assertTrue(Plans.karras(KarrasSigmas.EDM, 10).end().isClean());
    }

    @Test
    void ddimStepsToTMinusRatioWhateverTheSpacing() {
        Plan p = Plans.ddim(vp, 10, Spacing.LINSPACE, 0, true);
        assertEquals(888, p.point(1).t());
        assertEquals(899, p.target(0).t(), "diffusers steps from 999 to 999 - 1000 div 10");
        assertFalse(p.isChained());
        Plan noOne = Plans.ddim(vp, 10, Spacing.LEADING, 0, false);
        assertEquals(Math.sqrt(vp.alphaBar(0)), noOne.end().alpha(), 0, "set_alpha_to_one=false ends at alpha-bar[0]");
        assertEquals(1.0, Plans.ddim(vp, 10, Spacing.LEADING, 0, true).initNoiseScale());
    }

    @Test
    void dpmSolverFinalSigmaTypes() {
        Plan min = Plans.dpmSolver(vp, 10, Spacing.LINSPACE, 0, FinalSigma.SIGMA_MIN, false);
        assertEquals(vp.sigma(0), min.end().sigma(), 0);
        assertTrue(min.isChained());
        assertEquals(999, min.point(0).t());
    }

    @Test
    void karrasOnVpSpansTheTableAndRoundsDpmTimesteps() {
        Plan p = Plans.dpmSolver(vp, 10, Spacing.LINSPACE, 0, FinalSigma.ZERO, true);
        double[] table = vp.veSigmas();
        assertEquals(table[999], p.point(0).veSigma(), 1e-9);
        assertEquals(table[0], p.point(9).veSigma(), 1e-12);
        for (double t : p.timesteps()) {
            assertEquals(Math.rint(t), t, 0, "DPM-Solver rounds Karras timesteps");
        }
        Plan e = Plans.euler(vp, 10, Spacing.LINSPACE, 0, true);
        assertEquals(table[0], e.point(9).veSigma(), 1e-12);
    }

    @Test
    void eulerInitialNoiseIsDiffusersInitNoiseSigmaInOurScaling() {
        Plan lin = Plans.euler(vp, 10, Spacing.LINSPACE, 0, false);
        // init_noise_sigma = σ_ve(999); times α(999) = σ(999) in x = α x0 + σ ε scaling
        assertEquals(vp.sigma(999), lin.initNoiseScale(), 1e-12);
        Plan lead = Plans.euler(vp, 10, Spacing.LEADING, 1, false);
        // √(σ_ve² + 1)·α = 1 exactly
        assertEquals(1.0, lead.initNoiseScale(), 1e-12);
    }

    @Test
    void flowMatchSigmasFollowDiffusers() {
        Plan p = Plans.flowMatch(new RectifiedFlow(), 4, 1000);
        // linspace(1, 0.001, 4) then 0
        assertEquals(1.0, p.point(0).sigma(), 1e-15);
        assertEquals(1 - 0.999 / 3, p.point(1).sigma(), 1e-15);
        assertEquals(0.001, p.point(3).sigma(), 1e-15);
        Plan shifted = Plans.flowMatch(new RectifiedFlow(3.0), 4, 1000);
        double smin = 3 * 0.001 / (1 + 2 * 0.001);
        double s1 = 1 + (smin - 1) / 3;
        assertEquals(3 * s1 / (1 + 2 * s1), shifted.point(1).sigma(), 1e-12, "shift applied to the linspace of shifted bounds");
    }
}
