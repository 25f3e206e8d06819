package io.diffusion4j.diffusers;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The diffusers scheduler classes this port offers, by diffusers' class name, each with the factory that
 * reads its config into a {@link Recipe}: a core sampler, its plans, the {@link SampleSpace} of the
 * scheduler's sample and the {@link ModelConvention} of the model ({@link VpSchedulers}, {@link
 * SigmaSchedulers}, {@link FlowSchedulers}, {@link ConsistencySchedulers}, {@link MultistepSchedulers},
 * {@link ClassicSchedulers}, {@link EdmSchedulers}).
 */
public enum DiffusersClass {
    /** Ancestral DDPM (Ho et al. 2020) over {@link io.diffusion4j.sampler.Ddpm}. */
    DDPM("DDPMScheduler", VpSchedulers::ddpm),
    /** DDIM (Song et al. 2021) over {@link io.diffusion4j.sampler.Ddim}. */
    DDIM("DDIMScheduler", VpSchedulers::ddim),
    /** DPM-Solver++ multistep (Lu et al. 2022) over {@link io.diffusion4j.sampler.DpmSolverPlusPlus}. */
    DPM_SOLVER_MULTISTEP("DPMSolverMultistepScheduler", VpSchedulers::dpmSolverMultistep),
    /** Euler in k-diffusion's σ view over {@link io.diffusion4j.sampler.Euler}. */
    EULER_DISCRETE("EulerDiscreteScheduler", SigmaSchedulers::euler),
    /** Euler ancestral over {@link io.diffusion4j.sampler.EulerAncestral}. */
    EULER_ANCESTRAL_DISCRETE("EulerAncestralDiscreteScheduler", SigmaSchedulers::eulerAncestral),
    /** Heun (Karras et al. 2022) over {@link io.diffusion4j.sampler.Heun}. */
    HEUN_DISCRETE("HeunDiscreteScheduler", SigmaSchedulers::heun),
    /** Flow-matching Euler (SD3) over {@link io.diffusion4j.sampler.FlowEuler}. */
    FLOW_MATCH_EULER_DISCRETE("FlowMatchEulerDiscreteScheduler", FlowSchedulers::euler),
    /** Latent consistency models (Luo et al. 2023) over {@link io.diffusion4j.sampler.Lcm}. */
    LCM("LCMScheduler", ConsistencySchedulers::lcm),
    /** Trajectory consistency distillation (Zheng et al. 2024) over {@link io.diffusion4j.sampler.Tcd}. */
    TCD("TCDScheduler", ConsistencySchedulers::tcd),
    /** Consistency models (Song et al. 2023) over {@link io.diffusion4j.sampler.ConsistencyMultistep}. */
    CM_STOCHASTIC_ITERATIVE("CMStochasticIterativeScheduler", ConsistencySchedulers::consistencyModel),
    /** UniPC (Zhao et al. 2023) over {@link io.diffusion4j.sampler.UniPc}. */
    UNIPC_MULTISTEP("UniPCMultistepScheduler", MultistepSchedulers::uniPc),
    /** Singlestep DPM-Solver / DPM-Solver++ (Lu et al. 2022) over {@link io.diffusion4j.sampler.DpmSolverSinglestep}. */
    DPM_SOLVER_SINGLESTEP("DPMSolverSinglestepScheduler", MultistepSchedulers::dpmSolverSinglestep),
    /** DEIS, log-ρ multistep (Zhang &amp; Chen 2023) over {@link io.diffusion4j.sampler.Deis}. */
    DEIS_MULTISTEP("DEISMultistepScheduler", MultistepSchedulers::deis),
    /** Linear multistep in the σ view (k-diffusion {@code sample_lms}) over {@link io.diffusion4j.sampler.Lms}. */
    LMS_DISCRETE("LMSDiscreteScheduler", ClassicSchedulers::lms),
    /** k-diffusion's DPM-Solver-2 (log-σ midpoint) over {@link io.diffusion4j.sampler.Kdpm2}. */
    KDPM2_DISCRETE("KDPM2DiscreteScheduler", ClassicSchedulers::kdpm2),
    /** Pseudo numerical methods (Liu et al. 2022) over {@link io.diffusion4j.sampler.Pndm}. */
    PNDM("PNDMScheduler", ClassicSchedulers::pndm),
    /** Improved PNDM (Zhang &amp; Chen 2023) over {@link io.diffusion4j.sampler.Ipndm} on the cosine schedule. */
    IPNDM("IPNDMScheduler", ClassicSchedulers::ipndm),
    /** Euler on EDM's levels with EDM's preconditioning (Karras et al. 2022) over {@link io.diffusion4j.sampler.Euler}. */
    EDM_EULER("EDMEulerScheduler", EdmSchedulers::euler),
    /** DPM-Solver++ multistep on EDM's levels with EDM's preconditioning over {@link io.diffusion4j.sampler.DpmSolverPlusPlus}. */
    EDM_DPM_SOLVER_MULTISTEP("EDMDPMSolverMultistepScheduler", EdmSchedulers::dpmSolverMultistep),
    /** DDIM inversion (the reverse of {@code DDIMScheduler}) over {@link io.diffusion4j.sampler.Ddim} on an inverse plan. */
    DDIM_INVERSE("DDIMInverseScheduler", InverseSchedulers::ddimInverse),
    /** DPM-Solver++ multistep inversion over {@link io.diffusion4j.sampler.DpmSolverPlusPlus} on an inverse plan. */
    DPM_SOLVER_MULTISTEP_INVERSE("DPMSolverMultistepInverseScheduler", InverseSchedulers::dpmSolverMultistepInverse);

    private final String className;
    private final Function<SchedulerConfig, Scheduler> factory;

    DiffusersClass(String className, Function<SchedulerConfig, Scheduler> factory) {
        this.className = className;
        this.factory = factory;
    }

    /** diffusers' class name. */
    public String className() {
        return className;
    }

    /** The scheduler of {@code config} (whose class name must be this one's). */
    public Scheduler create(SchedulerConfig config) {
        if (!config.className().equals(className)) {
            throw new IllegalArgumentException("config of " + config.className() + " given to " + className);
        }
        return factory.apply(config);
    }

    /** The class of a diffusers class name. */
    public static DiffusersClass named(String className) {
        for (DiffusersClass c : values()) {
            if (c.className.equals(className)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown scheduler class \"" + className + "\"; offered: "
                + Arrays.stream(values()).map(DiffusersClass::className).collect(Collectors.joining(", ")));
    }
}
