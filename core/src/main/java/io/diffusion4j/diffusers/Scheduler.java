package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.Network;
import io.diffusion4j.sampler.Sampler;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A diffusers scheduler, built from its {@code scheduler_config.json}: the same timesteps and the same
 * trajectory as the diffusers class of that name, computed by our core samplers and plans (see
 * {@link DiffusersClass} for the classes and how each maps).
 *
 * <p>A scheduler is immutable and may be shared between threads; {@link #setTimesteps(int)} starts one
 * trajectory, a {@link SchedulerRun}, which carries the per-trajectory state diffusers keeps in its
 * scheduler object (step index, multistep history). A port of a diffusers loop reads:
 * <pre>
 * Scheduler scheduler = Scheduler.fromFile(Path.of("scheduler_config.json"));
 * SchedulerRun run = scheduler.setTimesteps(25);
 * NDArray x = noise.mul(run.initNoiseSigma());
 * for (double t : run.timesteps()) {
 *     NDArray out = unet(run.scaleModelInput(x, t), t);
 *     x = run.step(out, t, x).prevSample();
 * }
 * </pre>
 * The same sampler and plan also run in the pure API: {@code new SamplingLoop(scheduler.sampler(),
 * scheduler.denoiser(network), scheduler.plan(25))}.
 */
public final class Scheduler {
    private final SchedulerConfig config;
    private final Recipe recipe;
    private final List<String> unknownFields;

    Scheduler(SchedulerConfig config, Recipe recipe, List<String> unknownFields) {
        this.config = Check.notNull(config, "config");
        this.recipe = Check.notNull(recipe, "recipe");
        this.unknownFields = List.copyOf(unknownFields);
    }

    /**
     * The scheduler of a config: its {@code _class_name} picks the class, its fields (with diffusers' class
     * defaults for the absent ones) configure it.
     *
     * @throws IllegalArgumentException for an unknown class name or a field value this port does not support
     */
    public static Scheduler fromConfig(SchedulerConfig config) {
        return DiffusersClass.named(config.className()).create(config);
    }

    /** The scheduler of a {@code scheduler_config.json} file. */
    public static Scheduler fromFile(Path file) throws IOException {
        return fromConfig(SchedulerConfig.read(file));
    }

    /** The config it was built from, unchanged: {@code config().toJson()} writes back every field, known or not. */
    public SchedulerConfig config() {
        return config;
    }

    /** diffusers' class name. */
    public String className() {
        return config.className();
    }

    /**
     * Fields of the config this port does not know, in file order: they are kept (and written back) but
     * have no effect. Empty for a config of diffusers' own fields.
     */
    public List<String> unknownFields() {
        return unknownFields;
    }

    /** The recipe: sampler, plans, sample scaling and model convention. */
    public Recipe recipe() {
        return recipe;
    }

    /** The core sampler performing the updates. */
    public Sampler sampler() {
        return recipe.sampler();
    }

    /**
     * The denoiser of a network that follows this class's model convention (input scaling, timesteps, output
     * parametrisation; see {@link ModelConvention#denoiser}), for {@code new SamplingLoop(sampler(), denoiser,
     * plan(n))}.
     */
    public Denoiser denoiser(Network network) {
        return recipe.convention().denoiser(network);
    }

    /** The plan of {@code set_timesteps(steps)}. */
    public Plan plan(int steps) {
        return recipe.plans().apply(steps);
    }

    /** diffusers' {@code set_timesteps(steps)}: a new trajectory over that many inference steps. */
    public SchedulerRun setTimesteps(int steps) {
        return new SchedulerRun(recipe, plan(steps));
    }

    /**
     * diffusers' {@code add_noise(original_samples, noise, timestep)} at a training timestep: the scheduler's
     * sample of x₀ noised to the level of the training schedule that {@code timestep} names in the class's
     * convention ({@link ModelConvention#level}: for the flow schedulers a timestep is σ·T, for EDM ¼·ln σ).
     * Arrays are new, on x0's manager.
     *
     * @throws IllegalArgumentException when the timestep is outside the training schedule
     */
    public NDArray addNoise(NDArray x0, NDArray noise, double timestep) {
        return recipe.space().addNoise(x0, noise, recipe.convention().level(recipe.schedule(), timestep));
    }

    @Override
    public String toString() {
        return config.className() + " (" + recipe.sampler() + ")";
    }
}
