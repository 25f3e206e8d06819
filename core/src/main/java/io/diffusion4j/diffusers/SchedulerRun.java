package io.diffusion4j.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.model.Estimate;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.sampler.History;
import io.diffusion4j.sampler.Sampler;
import io.diffusion4j.sampler.StepContext;
import io.diffusion4j.sampler.StepNoise;
import io.diffusion4j.sampler.Stepped;
import io.diffusion4j.schedule.NoiseLevel;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * One trajectory of a {@link Scheduler} after {@code set_timesteps(n)}, with diffusers' calls:
 * {@link #timesteps()}, {@link #initNoiseSigma()}, {@link #scaleModelInput}, {@link #step} and
 * {@link #addNoise}. Not thread-safe (it is one trajectory); start another run for another trajectory.
 *
 * <p>How it works: the scheduler's sample is mapped to our native x by the recipe's {@link SampleSpace},
 * and the model output of each call becomes an {@link Estimate} at the call's level by its {@link
 * ModelConvention} (which also names the timesteps and scales the model input); the core sampler's step
 * is then run with a denoiser that replays the estimates given so far. A step that needs another model
 * evaluation (Heun's corrector, a midpoint) stops there and returns the sample to
 * evaluate, exactly as diffusers' two-call schedulers do; the next call completes the step. So each
 * piece of mathematics exists once, in the sampler.
 *
 * <p>Noise of stochastic samplers: sub-draw k of step j of image i is draw 1 + 16·j + k of
 * {@code (seed, i)} of the run's {@link NoiseSource} (seed 0, images 0 … B−1 unless {@link #withNoise}
 * says otherwise), the same draws as {@link io.diffusion4j.sampler.SamplingLoop}: a run and the loop
 * with one seed give the same bits. {@link #step(NDArray, double, NDArray, NDArray)} takes the noise
 * explicitly instead (diffusers' {@code variance_noise}).
 *
 * <p>Memory: returned arrays belong to the sample's manager and to the caller (and to the caller's
 * {@link NDScope}, if one is open); the run copies whatever it keeps of the caller's arrays, so the caller
 * may close its sample and model output right after {@code step}. The history the run keeps is closed as
 * it drops out and after the last step; {@link #close()} releases it for a run stopped early.
 */
public final class SchedulerRun implements AutoCloseable {
    private static final int DRAWS_PER_STEP = 16;
    private final Recipe recipe;
    private final Plan plan;
    private final List<Call> calls = new ArrayList<>();
    private NoiseSource noise = new NoiseSource(0);
    private long[] images;

    private int next = -1;
    private NDArray stepStart;
    private final List<Estimate> given = new ArrayList<>();
    private History history = History.EMPTY;
    private final Set<NDArray> owned = Collections.newSetFromMap(new IdentityHashMap<>());

    /** One model call of the trajectory: step j's k-th evaluation at {@code level}. */
    private record Call(int step, int stage, NoiseLevel level, double timestep) {}

    SchedulerRun(Recipe recipe, Plan plan) {
        this.recipe = recipe;
        this.plan = plan;
        io.diffusion4j.sampler.SamplingLoop.checkDirection(recipe.sampler(), plan);
        recipe.sampler().checkPlan(plan);
        for (int j = 0; j < plan.steps(); j++) {
            List<NoiseLevel> levels = recipe.sampler().evaluationLevels(plan, j);
            for (int k = 0; k < levels.size(); k++) {
                calls.add(new Call(j, k, levels.get(k), recipe.convention().timestep(levels.get(k))));
            }
        }
    }

    /** The plan this run follows (our levels; one plan step may take several model calls). */
    public Plan plan() {
        return plan;
    }

    /** diffusers' {@code timesteps}: the timestep of every model call, in order (Heun-type: 2N − 1 of them). */
    public double[] timesteps() {
        double[] t = new double[calls.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = calls.get(i).timestep();
        }
        return t;
    }

    /** diffusers' {@code init_noise_sigma}: the initial sample is this times standard normal noise. */
    public double initNoiseSigma() {
        return recipe.space().initNoiseSigma(plan.initNoiseScale(), plan.point(0));
    }

    /** Index of the next model call in {@link #timesteps()} (diffusers' {@code step_index}); −1 before the first. */
    public int stepIndex() {
        return next;
    }

    /**
     * Draws the noise of stochastic steps from {@code source} for the given global image indices (one per
     * batch row). Call before the first step.
     */
    public SchedulerRun withNoise(NoiseSource source, long[] imageIndices) {
        if (next >= 0) {
            throw new IllegalStateException("set the noise before the first step");
        }
        this.noise = Check.notNull(source, "noise source");
        this.images = imageIndices == null ? null : imageIndices.clone();
        return this;
    }

    /**
     * diffusers' {@code scale_model_input(sample, timestep)}: what the model is given at that timestep (the
     * recipe's {@link ModelConvention#modelInput} of the native sample). May be {@code sample} itself.
     */
    public NDArray scaleModelInput(NDArray sample, double timestep) {
        Call c = next >= 0 && next < calls.size() && same(calls.get(next).timestep(), timestep) ? calls.get(next) : calls.get(find(timestep));
        return recipe.convention().modelInput(recipe.space().toNative(sample, c.level()), c.level());
    }

    /**
     * diffusers' {@code add_noise} at {@code timestep}: at one of the run's timesteps the level of that call (as
     * diffusers looks the timestep up in its {@code sigmas}), otherwise the training schedule's level of the
     * timestep (see {@link Scheduler#addNoise}). Arrays are new, on x0's manager.
     */
    public NDArray addNoise(NDArray x0, NDArray eps, double timestep) {
        NoiseLevel level = null;
        for (Call c : calls) {
            if (same(c.timestep(), timestep)) {
                level = c.level();
                break;
            }
        }
        if (level == null) {
            level = recipe.convention().level(recipe.schedule(), timestep);
        }
        return recipe.space().addNoise(x0, eps, level);
    }

    /**
     * diffusers' {@code step(model_output, timestep, sample)}: the sample for the next model call (or, after
     * the last call, the result) and x̂₀. The first call may be at any step's first timestep (image-to-image
     * starts part-way); later calls must follow {@link #timesteps()} in order.
     *
     * @throws IllegalArgumentException when {@code timestep} is not the expected one, or the run is finished
     */
    public SchedulerOutput step(NDArray modelOutput, double timestep, NDArray sample) {
        return step(modelOutput, timestep, sample, recipe.sampler(), null);
    }

    /**
     * {@link #step(NDArray, double, NDArray)} with the step's noise given (standard normal, shaped like the
     * sample): what diffusers draws from its {@code generator} inside {@code step}, e.g. from a
     * {@link io.diffusion4j.random.TorchGenerator} to reproduce a torch-seeded run.
     */
    public SchedulerOutput step(NDArray modelOutput, double timestep, NDArray sample, NDArray variationNoise) {
        return step(modelOutput, timestep, sample, recipe.sampler(), variationNoise);
    }

    /**
     * {@link #step(NDArray, double, NDArray)} with diffusers' per-step η (DDIM) and the step's noise
     * ({@code variance_noise}: standard normal, shaped like the sample; null draws it from the run's noise
     * source).
     *
     * @throws IllegalArgumentException when the scheduler has no η
     */
    public SchedulerOutput step(NDArray modelOutput, double timestep, NDArray sample, double eta, NDArray variationNoise) {
        return step(modelOutput, timestep, sample, recipe.samplerFor(eta), variationNoise);
    }

    /**
     * {@link #step(NDArray, double, NDArray)} of diffusers' per-step {@code order} ({@code LMSDiscreteScheduler}:
     * the number of remembered slopes combined; the history kept is diffusers' own, so the order may change
     * from step to step as there).
     *
     * @throws IllegalArgumentException when the scheduler has no per-step order, or the order is out of its range
     */
    public SchedulerOutput step(NDArray modelOutput, double timestep, NDArray sample, int order) {
        return step(modelOutput, timestep, sample, recipe.samplerOfOrder(order), null);
    }

    private SchedulerOutput step(NDArray modelOutput, double timestep, NDArray sample, Sampler sampler, NDArray variationNoise) {
        Check.notNull(modelOutput, "model output");
        Check.notNull(sample, "sample");
        if (!modelOutput.getShape().equals(sample.getShape())) {
            throw new IllegalArgumentException("model output has shape " + modelOutput.getShape() + " but the sample has "
                    + sample.getShape());
        }
        int at = locate(timestep);
        Call call = calls.get(at);
        SchedulerOutput result;
        int givenBefore = call.stage() == 0 ? 0 : given.size();   // a step's first call starts a new list
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            result = stepInScope(at, call, modelOutput, sample, sampler, variationNoise);
        } catch (RuntimeException failure) {
            rollBack(call, givenBefore);
            throw failure;
        }
        // the outputs belong to the caller's own scope, if it has one, like any array its code makes
        NDScope.register(result.prevSample());
        NDScope.register(result.predOriginalSample());
        return result;
    }

    private SchedulerOutput stepInScope(int at, Call call, NDArray modelOutput, NDArray sample, Sampler sampler, NDArray variationNoise) {
        // the run never keeps the caller's arrays: a pipeline closes its sample and model output after the call
        NDArray x = notCallers(recipe.space().toNative(sample, call.level()), sample, modelOutput);
        if (call.stage() == 0) {
            releaseGiven();
            stepStart = keep(x);
        }
        Estimate e = recipe.convention().toEstimate(modelOutput, x, call.level());
        given.add(new Estimate(keep(notCallers(e.x0(), sample, modelOutput)), keep(notCallers(e.eps(), sample, modelOutput))));
        StepContext ctx = new StepContext(new Replay(call.step()), plan, call.step(), Conditioning.NONE,
                stepNoise(call.step(), sample, variationNoise));
        Stepped out;
        try {
            out = sampler.step(ctx, stepStart, history);
        } catch (NeedsEvaluation pending) {
            next = at + 1;
            NDArray prev = handedOver(recipe.space().fromNative(pending.x, pending.level), sample);
            return new SchedulerOutput(release(prev), release(e.x0().duplicate()));
        }
        next = at + 1;
        adoptHistory(out.history());
        NDArray prev = handedOver(recipe.space().fromNative(out.x(), plan.target(call.step())), sample);
        NDArray x0 = out.x0().duplicate();
        releaseGiven();
        releaseStart();
        if (next == calls.size()) {
            releaseHistory();   // the run is finished: nothing it kept is needed any more
        }
        return new SchedulerOutput(release(prev), release(x0));
    }

    /** {@code prev}, or a copy when it is an array the run keeps or closes (an estimate, a history entry) or the caller's input. */
    private NDArray handedOver(NDArray prev, NDArray sample) {
        return owned.contains(prev) || prev == sample ? prev.duplicate() : prev;
    }

    /** A call that threw leaves the run as it was before it: a retried call starts from the same state. */
    private void rollBack(Call call, int givenBefore) {
        Set<NDArray> live = historyArrays();
        while (given.size() > givenBefore) {
            Estimate e = given.remove(given.size() - 1);
            closeIfOwned(e.x0(), live);
            closeIfOwned(e.eps(), live);
        }
        if (call.stage() == 0) {
            releaseStart();
        }
    }

    /**
     * Closes what the run keeps (step history, estimates of an unfinished step) and ends it: for a run stopped
     * before its last timestep (a finished run has released everything already). Arrays handed to the caller
     * are not touched.
     */
    @Override
    public void close() {
        releaseGiven();
        releaseStart();
        releaseHistory();
        next = calls.size();
    }

    /** Where in {@link #calls} a call with {@code timestep} belongs. */
    private int locate(double timestep) {
        if (next < 0) {
            return find(timestep);
        }
        if (next >= calls.size()) {
            throw new IllegalArgumentException("the run is finished: all " + calls.size() + " timesteps were stepped; call setTimesteps again");
        }
        double expected = calls.get(next).timestep();
        if (!same(expected, timestep)) {
            throw new IllegalArgumentException("expected timestep " + expected + " (call " + next + " of " + calls.size() + "), got "
                    + timestep + "; step through timesteps() in order");
        }
        return next;
    }

    /** The first call of a step at {@code timestep} (a run may start part-way, as image-to-image does). */
    private int find(double timestep) {
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).stage() == 0 && same(calls.get(i).timestep(), timestep)) {
                return i;
            }
        }
        throw new IllegalArgumentException("timestep " + timestep + " is not one of this run's step timesteps; see timesteps()");
    }

    private static boolean same(double a, double b) {
        return Math.abs(a - b) <= 1e-6 * Math.max(1.0, Math.abs(a));
    }

    private StepNoise stepNoise(int step, NDArray sample, NDArray given) {
        return k -> {
            if (given != null) {
                if (k != 0) {
                    throw new IllegalArgumentException("this sampler draws more than one noise per step; let the run draw it");
                }
                return given;
            }
            Check.inRange(k, 0, DRAWS_PER_STEP - 1, "noise sub-draw");
            long n = sample.getShape().get(0);
            long[] rows = images != null ? images : NoiseSource.range(0, Math.toIntExact(n));
            if (rows.length != n) {
                throw new IllegalArgumentException(rows.length + " image indices for a batch of " + n);
            }
            return noise.normal(sample.getManager(), sample.getShape().slice(1), rows, 1L + (long) DRAWS_PER_STEP * step + k);
        };
    }

    /** The denoiser of one step: the estimates given so far, then a request for the next evaluation. */
    private final class Replay implements Denoiser {
        private final int step;
        private int calls;

        Replay(int step) {
            this.step = step;
        }

        @Override
        public Estimate denoise(NDArray x, NoiseLevel level, Conditioning cond) {
            int k = calls++;
            if (k < given.size()) {
                return given.get(k);
            }
            throw new NeedsEvaluation(x, level, step);
        }
    }

    /** Control flow of a step that needs one more model call before it can finish. */
    private static final class NeedsEvaluation extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient NDArray x;
        private final transient NoiseLevel level;

        NeedsEvaluation(NDArray x, NoiseLevel level, int step) {
            super("step " + step + " needs a model evaluation at t = " + level.t(), null, false, false);
            this.x = x;
            this.level = level;
        }
    }

    /** Keeps {@code a} beyond this call's scope; it is ours to close. */
    private NDArray keep(NDArray a) {
        NDScope.unregister(a);
        owned.add(a);
        return a;
    }

    /** {@code a}, or a copy of it when it is one of the caller's arrays (which the caller may close after the call). */
    private static NDArray notCallers(NDArray a, NDArray sample, NDArray modelOutput) {
        return a == sample || a == modelOutput ? a.duplicate() : a;
    }

    /** Hands {@code a} to the caller: it leaves this call's scope and is not ours to close. */
    private static NDArray release(NDArray a) {
        NDScope.unregister(a);
        return a;
    }

    /** Takes the new history; arrays in it become the run's to close (none is the caller's: see {@link #notCallers}). */
    private void adoptHistory(History next) {
        Set<NDArray> live = Collections.newSetFromMap(new IdentityHashMap<>());
        for (History.Past p : next.entries()) {
            live.add(p.value());
            keep(p.value());
        }
        for (History.Past p : history.entries()) {
            closeIfOwned(p.value(), live);
        }
        history = next;
    }

    private void releaseGiven() {
        Set<NDArray> live = historyArrays();
        for (Estimate e : given) {
            closeIfOwned(e.x0(), live);
            closeIfOwned(e.eps(), live);
        }
        given.clear();
    }

    private void releaseStart() {
        if (stepStart != null) {
            closeIfOwned(stepStart, historyArrays());
            stepStart = null;
        }
    }

    private void releaseHistory() {
        Set<NDArray> none = Collections.newSetFromMap(new IdentityHashMap<>());
        for (History.Past p : history.entries()) {
            closeIfOwned(p.value(), none);
        }
        history = History.EMPTY;
    }

    private Set<NDArray> historyArrays() {
        Set<NDArray> live = Collections.newSetFromMap(new IdentityHashMap<>());
        history.entries().forEach(p -> live.add(p.value()));
        return live;
    }

    private void closeIfOwned(NDArray a, Set<NDArray> live) {
        if (!live.contains(a) && owned.remove(a)) {
            a.close();
        }
    }
}
