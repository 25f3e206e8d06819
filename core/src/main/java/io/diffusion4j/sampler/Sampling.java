package io.diffusion4j.sampler;

import io.diffusion4j.model.Prediction;
import io.diffusion4j.schedule.CosineVp;
import io.diffusion4j.schedule.DiscreteVp;
import io.diffusion4j.schedule.FinalSigma;
import io.diffusion4j.schedule.KarrasSigmas;
import io.diffusion4j.schedule.NoiseSchedule;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.schedule.Plans;
import io.diffusion4j.schedule.RectifiedFlow;
import io.diffusion4j.schedule.Spacing;
import io.diffusion4j.util.Check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;

/**
 * Samplers by name, each with the plan diffusers' scheduler of that name makes by default (heun, dpm2
 * and ipndm excepted, see below). The names are what the command line accepts ({@code --sampler}); the
 * table says which classes and plans they stand for. η applies to the samplers that take it ({@code ddim},
 * {@code euler-a}; default 0 and 1) and must be left unset for the others.
 *
 * <table>
 * <caption>Named samplers</caption>
 * <tr><th>name</th><th>sampler</th><th>plan (diffusers scheduler default)</th></tr>
 * <tr><td>ddpm</td><td>{@link Ddpm} fixed_small</td><td>{@link Plans#ddim} leading (as {@code DDPMScheduler})</td></tr>
 * <tr><td>ddim</td><td>{@link Ddim} (η)</td><td>{@link Plans#ddim} leading, set_alpha_to_one</td></tr>
 * <tr><td>dpm++2m, dpm++3m</td><td>{@link DpmSolverPlusPlus} order 2, 3</td><td>{@link Plans#dpmSolver} linspace, final σ = 0</td></tr>
 * <tr><td>dpm++2m-karras, dpm++3m-karras</td><td>the same</td><td>with Karras σ ({@code use_karras_sigmas})</td></tr>
 * <tr><td>euler</td><td>{@link Euler}</td><td>{@link Plans#euler} linspace</td></tr>
 * <tr><td>heun</td><td>{@link Heun}</td><td>{@link Plans#euler} <b>trailing</b> (see below)</td></tr>
 * <tr><td>heun-karras</td><td>{@link Heun}</td><td>{@link Plans#euler} with Karras σ (Karras et al.'s own steps)</td></tr>
 * <tr><td>euler-karras</td><td>{@link Euler}</td><td>{@link Plans#euler} with Karras σ</td></tr>
 * <tr><td>euler-a</td><td>{@link EulerAncestral} (η, default 1)</td><td>{@link Plans#euler} linspace</td></tr>
 * <tr><td>pf-ode</td><td>{@link ProbabilityFlowOde} (RK4)</td><td>{@link Plans#euler} <b>trailing</b> (see below)</td></tr>
 * <tr><td>sde</td><td>{@link ReverseSde} (Euler–Maruyama)</td><td>{@link Plans#euler} linspace</td></tr>
 * <tr><td>pc</td><td>{@link PredictorCorrector} (1 Langevin step, r = 0.16)</td><td>{@link Plans#euler} linspace</td></tr>
 * <tr><td>unipc, unipc-karras</td><td>{@link UniPc} order 2, bh2, corrector</td><td>{@link Plans#dpmSolver} linspace, final σ = 0 (Karras σ)</td></tr>
 * <tr><td>dpm++2s</td><td>{@link DpmSolverSinglestep} order 2</td><td>{@link Plans#dpmSolver} linspace, final σ = 0</td></tr>
 * <tr><td>deis</td><td>{@link Deis} order 2</td><td>{@link Plans#dpmSolver} linspace, final σ = σ_min</td></tr>
 * <tr><td>lms, lms-karras</td><td>{@link Lms} order 4</td><td>{@link Plans#euler} linspace (Karras σ)</td></tr>
 * <tr><td>dpm2</td><td>{@link Kdpm2} (2 calls per step)</td><td>{@link Plans#euler} <b>trailing</b> (see below)</td></tr>
 * <tr><td>dpm2-karras</td><td>the same</td><td>{@link Plans#euler} linspace ends, Karras σ</td></tr>
 * <tr><td>pndm, plms</td><td>{@link Pndm} with / without the Runge–Kutta warm-up</td><td>{@link Plans#ddim} leading, set_alpha_to_one</td></tr>
 * <tr><td>ipndm</td><td>{@link Ipndm}</td><td>{@link Plans#ddim} leading, set_alpha_to_one (see below)</td></tr>
 * <tr><td>flow-euler, flow-heun</td><td>{@link FlowEuler}, {@link FlowHeun}</td><td>{@link Plans#flowMatch}</td></tr>
 * </table>
 * On a {@link KarrasSigmas} (EDM) schedule every method but ddpm and ddim uses {@link Plans#karras}.
 *
 * <p>Differences from diffusers' class defaults, on purpose: {@code heun} and {@code dpm2} use {@code
 * trailing} spacing, which diffusers offers ({@code timestep_spacing}) but does not default to, and so
 * does {@code pf-ode}, which has no diffusers class. These methods call the network at the end of a step
 * (Heun, RK4) or inside it (DPM2). On {@code linspace} the last step before σ = 0 runs from
 * t = (T − 1)/(N − 1) to t = 0 (σ ≈ 0.01 for linear β from 10⁻⁴), so ε̂ at or near t = 0 moves the sample
 * by a sizeable part of that step: half of it for Heun, a sixth for RK4's last stage, all of it for DPM2's
 * midpoint at t ≈ 14.5 (10 steps). An ε-network knows almost nothing there: the bundled Fashion-MNIST
 * model's ε̂ at t = 0 has a mean squared error of 0.95 against the true noise, where a guess of zero scores
 * 1. The samples keep visible grain: Heun with 10 steps at guidance 3 scores FD 31.4× the floor on {@code
 * linspace} and 9.7× on {@code trailing} (docs/quality.md). On {@code trailing} the last level is
 * t = T/N − 1 and the step from it to σ = 0 is a plain jump to x̂₀, as on the {@code dpm++} plans. The
 * price is the same as theirs: where the denoiser stays accurate down to t = 0 (the exact denoiser of a
 * 2-D toy), that jump returns the posterior mean at σ ≈ 0.17 (20 steps) and narrows each mode: on the
 * demo's 8 Gaussians of standard deviation 0.1, Heun with 20 steps gives 0.054 on {@code trailing},
 * 0.129 on {@code linspace} and 0.102 on Karras σ ({@code heun-karras}; dpm++2m 0.062, dpm++2m-karras
 * 0.096). Use the Karras variants there. On the bundled model, Karras σ ends at t = 0 with a small
 * last step: Heun with 10 steps scored 9.76× the floor, with a little grain left. Euler and the multistep
 * methods call the network only at the start of each step, where ε̂ at t = 0 is weighted by σ ≈ 0.01,
 * and keep diffusers' {@code linspace}; so does {@code pc}, whose Langevin corrector calls the network
 * at the target but takes a step that shrinks with σ².
 *
 * <p>{@code ipndm} takes the plan of {@code pndm} and {@code plms}, whose sampler it is without a warm-up.
 * diffusers' {@code IPNDMScheduler} has a plan of its own for a v-model on a cosine schedule, so for a
 * DDPM-type model there is no default to keep. From t = T − 1, where the σ-space plans start, its
 * equal-step Adams–Bashforth extrapolation diverged on the bundled model at 10 steps and guidance 3:
 * noise and blotches on {@code linspace}, {@code trailing} and Karras σ alike. From t = 900 on {@code
 * leading} it gives garments, with the texture {@code plms} leaves too and a few blotched ones (FD 23.4×
 * the floor; dpm++2m 10.4×). At 20 steps {@code linspace} was fine as well. Like every {@code leading}
 * plan (diffusers' too), it starts below T − 1 when N &gt; T/2: at (N − 1)·(T div N). On an EDM model it
 * follows {@link Plans#karras} like the rest; no trained EDM model has tested that here.
 *
 * <p>Also on purpose: x̂₀ is not clipped unless a clipping is
 * passed (diffusers' DDPM and DDIM default to {@code clip_sample=True}, right for images in [−1, 1] but
 * wrong for other data; pass {@code new X0Clipping.Clamp(1)} for diffusers' behaviour). {@code dpm++3m}
 * uses diffusers' third-order weights, which are only second-order accurate (the D₂ term carries half
 * the Taylor coefficient); {@link DpmSolverPlusPlus.ThirdOrder#TAYLOR} is the third-order variant. Even
 * with it, a multistep method whose first step is first order reaches order 3 only on plans whose first
 * steps barely move x̂₀ (the Karras ramp); on a λ-uniform plan the warm-up caps it at order 2.
 */
public final class Sampling {
    private Sampling() {}

    /** A sampler with the plan it should follow. */
    public record Choice(Sampler sampler, Plan plan) {}

    /** The named methods. */
    public enum Method {
        DDPM("ddpm", "DDPM"),
        DDIM("ddim", "DDIM"),
        DPMPP_2M("dpm++2m", "DPM++ 2M"),
        DPMPP_3M("dpm++3m", "DPM++ 3M"),
        DPMPP_2M_KARRAS("dpm++2m-karras", "DPM++ 2M Karras"),
        DPMPP_3M_KARRAS("dpm++3m-karras", "DPM++ 3M Karras"),
        EULER("euler", "Euler"),
        EULER_KARRAS("euler-karras", "Euler Karras"),
        HEUN("heun", "Heun"),
        HEUN_KARRAS("heun-karras", "Heun Karras"),
        EULER_A("euler-a", "Euler ancestral"),
        PF_ODE("pf-ode", "probability-flow ODE (RK4)"),
        SDE("sde", "reverse SDE (Euler-Maruyama)"),
        PC("pc", "predictor-corrector (Langevin)"),
        UNIPC("unipc", "UniPC"),
        UNIPC_KARRAS("unipc-karras", "UniPC Karras"),
        DPMPP_2S("dpm++2s", "DPM++ 2S (singlestep)"),
        DEIS("deis", "DEIS (log-rho)"),
        LMS("lms", "LMS (order 4)"),
        LMS_KARRAS("lms-karras", "LMS Karras"),
        DPM2("dpm2", "DPM2"),
        DPM2_KARRAS("dpm2-karras", "DPM2 Karras"),
        PNDM("pndm", "PNDM (Runge-Kutta warm-up)"),
        PLMS("plms", "PLMS (PNDM without warm-up)"),
        IPNDM("ipndm", "iPNDM"),
        FLOW_EULER("flow-euler", "flow-matching Euler"),
        FLOW_HEUN("flow-heun", "flow-matching Heun");

        private final String cliName;
        private final String label;

        Method(String cliName, String label) {
            this.cliName = cliName;
            this.label = label;
        }

        /** The name the command line uses. */
        public String cliName() {
            return cliName;
        }

        /** A human-readable name. */
        public String label() {
            return label;
        }

        /** Whether this method needs a rectified-flow schedule. */
        public boolean isFlow() {
            return this == FLOW_EULER || this == FLOW_HEUN;
        }

        /** Whether this method is defined only on discrete VP processes (ddpm, ddim). */
        boolean needsDiscreteVp() {
            return this == DDIM || this == DDPM;
        }

        /**
         * Steps below which this method leaves visible noise in images (0: none known). Euler–Maruyama
         * (sde, and pc's predictor) removes too little noise per step when a step spans a large ratio of
         * σ: on the bundled Fashion-MNIST model its 10-step images are almost pure noise, its 100-step
         * images are garments (docs/quality.md).
         */
        public int fewestStepsForImages() {
            return this == SDE || this == PC ? 100 : 0;
        }

        /** Whether η can be set (ddim: default 0; euler-a: default 1). */
        public boolean takesEta() {
            return this == DDIM || this == EULER_A;
        }

        /** The method's own η when none is given. */
        public double defaultEta() {
            return this == EULER_A ? 1.0 : 0.0;
        }

        /** The sampler and its default plan, with the method's default η and no clipping. */
        public Choice choose(NoiseSchedule schedule, int steps) {
            return choose(schedule, steps, defaultEta());
        }

        /** The sampler and its default plan without clipping. */
        public Choice choose(NoiseSchedule schedule, int steps, double eta) {
            return choose(schedule, steps, eta, X0Clipping.NONE);
        }

        /**
         * The sampler and its default plan for {@code steps} steps on {@code schedule}.
         *
         * @param steps sampling steps, 1 … T for discrete schedules (T = 1000 for flow plans)
         * @param eta stochasticity η ≥ 0 for ddim and euler-a; for the others it must equal {@link #defaultEta()}
         * @param clipping applied to x̂₀ by ddpm, ddim and the dpm++ family (diffusers {@code clip_sample},
         *     {@code thresholding}); the other samplers have no such option and ignore it. A clipping ddim
         *     steps with the ε̂ of the clipped x̂₀ (diffusers {@code use_clipped_model_output=True}): with the
         *     unclipped ε̂, as diffusers' default does, the pair no longer describes one sample once guidance
         *     pushes x̂₀ far outside the range, and guided DDIM fails (FD 104× the floor at guidance 3 on
         *     the bundled model, docs/quality.md)
         */
        public Choice choose(NoiseSchedule schedule, int steps, double eta, X0Clipping clipping) {
            Check.notNull(clipping, "clipping");
            if (!(eta >= 0) || Double.isInfinite(eta)) {
                throw new IllegalArgumentException("eta must be a finite number >= 0, got " + eta);
            }
            if (eta != defaultEta() && !takesEta()) {
                throw new IllegalArgumentException("eta applies to ddim and euler-a only, got eta=" + eta + " for " + cliName);
            }
            if (isFlow()) {
                if (!(schedule instanceof RectifiedFlow flow)) {
                    throw new IllegalArgumentException(cliName + " needs a rectified-flow model; for this "
                            + kind(schedule) + " model use one of " + namesFor(schedule));
                }
                return new Choice(this == FLOW_EULER ? new FlowEuler() : new FlowHeun(), Plans.flowMatch(flow, steps, 1000));
            }
            Sampler sampler = sampler(eta, clipping);
            if (schedule instanceof KarrasSigmas edm && !needsDiscreteVp()) {
                return new Choice(sampler, Plans.karras(edm, steps));
            }
            if (!(schedule instanceof DiscreteVp vp)) {
                throw new IllegalArgumentException(cliName + " needs a discrete-time (DDPM-type) model; for this "
                        + kind(schedule) + " model use one of " + namesFor(schedule));
            }
            return new Choice(sampler, plan(vp, steps));
        }

        private Sampler sampler(double eta, X0Clipping clipping) {
            return switch (this) {
                case DDPM -> new Ddpm(Ddpm.Variance.FIXED_SMALL, clipping);
                case DDIM -> new Ddim(eta, clipping, clipping != X0Clipping.NONE);
                case DPMPP_2M, DPMPP_2M_KARRAS -> new DpmSolverPlusPlus(2).withClipping(clipping);
                case DPMPP_3M, DPMPP_3M_KARRAS -> new DpmSolverPlusPlus(3).withClipping(clipping);
                case EULER, EULER_KARRAS -> new Euler();
                case HEUN, HEUN_KARRAS -> new Heun();
                case EULER_A -> new EulerAncestral(eta);
                case PF_ODE -> new ProbabilityFlowOde();
                case SDE -> new ReverseSde();
                case PC -> new PredictorCorrector();
                case UNIPC, UNIPC_KARRAS -> new UniPc(2).withClipping(clipping);
                case DPMPP_2S -> new DpmSolverSinglestep(2).withClipping(clipping);
                case DEIS -> new Deis(2).withClipping(clipping);
                case LMS, LMS_KARRAS -> new Lms(4);
                case DPM2, DPM2_KARRAS -> new Kdpm2();
                case PNDM -> new Pndm();
                case PLMS -> new Pndm(false, Prediction.EPSILON);
                case IPNDM -> new Ipndm();
                case FLOW_EULER -> new FlowEuler();
                case FLOW_HEUN -> new FlowHeun();
            };
        }

        private Plan plan(DiscreteVp vp, int steps) {
            return switch (this) {
                // ipndm is PLMS without its first improved-Euler step; from t = T − 1 (linspace, trailing,
                // Karras σ) its equal-step extrapolation diverges at 10 steps, see the class comment
                case DDIM, DDPM, PNDM, PLMS, IPNDM -> Plans.ddim(vp, steps, Spacing.LEADING, 0, true);
                case DPMPP_2M, DPMPP_3M, UNIPC, DPMPP_2S -> Plans.dpmSolver(vp, steps, Spacing.LINSPACE, 0, FinalSigma.ZERO, false);
                case DPMPP_2M_KARRAS, DPMPP_3M_KARRAS, UNIPC_KARRAS -> Plans.dpmSolver(vp, steps, Spacing.LINSPACE, 0, FinalSigma.ZERO, true);
                case DEIS -> Plans.dpmSolver(vp, steps, Spacing.LINSPACE, 0, FinalSigma.SIGMA_MIN, false);
                case EULER_KARRAS, HEUN_KARRAS, LMS_KARRAS, DPM2_KARRAS -> Plans.euler(vp, steps, Spacing.LINSPACE, 0, true);
                // they call the network at or near each step's target, so on linspace ε̂ at or near t = 0
                // would move the last step by a sizeable part of it; see the class comment
                case HEUN, DPM2, PF_ODE -> Plans.euler(vp, steps, Spacing.TRAILING, 0, false);
                default -> Plans.euler(vp, steps, Spacing.LINSPACE, 0, false);
            };
        }
    }

    /** The method called {@code name} (case-insensitive); the error lists every name. */
    public static Method method(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Method m : Method.values()) {
            if (m.cliName.equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown sampler '" + name + "'; choose one of " + String.join(", ", new Names()));
    }

    /** Every name, in table order (picocli completion candidates). */
    public static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(Method.values()).map(Method::cliName).iterator();
        }
    }

    private static String namesFor(NoiseSchedule schedule) {
        ArrayList<String> names = new ArrayList<>();
        for (Method m : Method.values()) {
            boolean fits = schedule instanceof RectifiedFlow ? m.isFlow() : !m.isFlow() && !(schedule instanceof KarrasSigmas && m.needsDiscreteVp());
            if (fits) {
                names.add(m.cliName);
            }
        }
        return String.join(", ", names);
    }

    /** What kind of model a schedule belongs to, as messages name it ("rectified-flow", "EDM", …). */
    public static String kind(NoiseSchedule schedule) {
        if (schedule instanceof RectifiedFlow) {
            return "rectified-flow";
        }
        if (schedule instanceof KarrasSigmas) {
            return "EDM";
        }
        return schedule instanceof CosineVp ? "continuous-time cosine" : "discrete-time";
    }
}
