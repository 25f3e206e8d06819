package io.diffusion4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.diffusion4j.model.Conditioning;
import io.diffusion4j.model.Denoiser;
import io.diffusion4j.random.NoiseSource;
import io.diffusion4j.schedule.Plan;
import io.diffusion4j.util.Check;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CancellationException;

/**
 * Runs a {@link Sampler} over a {@link Plan}: the one loop every sampler shares. It owns per-step
 * memory (each step runs in an {@link NDScope}; only the new sample and the history survive it),
 * the per-image noise, observers and cancellation (an interrupted thread stops between steps with a
 * {@link CancellationException}).
 *
 * <p>Noise draws: the initial noise of image i is draw 0 of (seed, i); sub-draw k of step j is draw
 * 1 + 16·j + k. So an image's trajectory depends only on (seed, i), whatever the batch.
 *
 * <p>An {@linkplain Plan#inverse() inverse} plan (inversion: data → noise) runs with {@link #run} from the
 * sample to invert, and only with a sampler that is {@linkplain Sampler#invertible() invertible}.
 */
public final class SamplingLoop {
    private static final int DRAWS_PER_STEP = 16;
    private final Sampler sampler;
    private final Denoiser denoiser;
    private final Plan plan;
    private final SamplerObserver observer;

    /** A loop of {@code sampler} with {@code denoiser} over {@code plan}. */
    public SamplingLoop(Sampler sampler, Denoiser denoiser, Plan plan) {
        this(sampler, denoiser, plan, SamplerObserver.NONE);
    }

    private SamplingLoop(Sampler sampler, Denoiser denoiser, Plan plan, SamplerObserver observer) {
        this.sampler = Check.notNull(sampler, "sampler");
        this.denoiser = Check.notNull(denoiser, "denoiser");
        this.plan = Check.notNull(plan, "plan");
        this.observer = Check.notNull(observer, "observer");
        checkDirection(sampler, plan);
        sampler.checkPlan(plan);
    }

    /**
     * Throws IllegalArgumentException when {@code plan} is inverse and {@code sampler} is not {@linkplain
     * Sampler#invertible() invertible}; the message names the sampler.
     */
    public static void checkDirection(Sampler sampler, Plan plan) {
        if (plan.inverse() && !sampler.invertible()) {
            throw new IllegalArgumentException("sampler " + sampler + " cannot follow an inverse plan (data toward noise): "
                    + "only deterministic samplers that declare invertible() can, e.g. DDIM with eta = 0 or DPM-Solver++");
        }
    }

    /** The same loop reporting to {@code observer}. */
    public SamplingLoop withObserver(SamplerObserver observer) {
        return new SamplingLoop(sampler, denoiser, plan, observer);
    }

    /**
     * Samples images {@code images} from pure noise: x = initNoiseScale·ε with ε draw 0 of each image.
     *
     * @param manager owner of the result
     * @param perImage shape of one sample, e.g. (1, 28, 28)
     * @param cond conditioning of the rows (labels of length images.length, or none)
     * @param noise the run's noise source
     * @param images global image indices of the rows
     * @return the samples at the plan's end, shape (images.length, perImage…)
     */
    public NDArray sample(NDManager manager, Shape perImage, Conditioning cond, NoiseSource noise, long[] images) {
        Check.notNull(perImage, "sample shape");
        Check.notNull(images, "image indices");
        if (images.length == 0) {
            throw new IllegalArgumentException("need at least one image to sample");
        }
        if (plan.inverse()) {
            throw new IllegalStateException("an inverse plan starts from the sample to invert, not from noise; use run(start, ...)");
        }
        try (NDArray eps = noise.normal(manager, perImage, images, 0)) {
            NDArray start = eps.mul(plan.initNoiseScale());
            try {
                return run(start, cond, noise, images);
            } finally {
                start.close();
            }
        }
    }

    /**
     * Runs the plan from a given sample at the plan's first level (image-to-image, inversion, tests).
     * {@code start} is not closed; the result is a new array owned by start's manager.
     */
    public NDArray run(NDArray start, Conditioning cond, NoiseSource noise, long[] images) {
        Check.notNull(start, "start sample");
        Check.notNull(cond, "conditioning");
        Check.notNull(noise, "noise source");
        Check.notNull(images, "image indices");
        long n = start.getShape().get(0);
        if (images.length != n) {
            throw new IllegalArgumentException("got " + images.length + " image indices for a batch of " + n);
        }
        if (cond.hasLabels() && !cond.labels().getShape().equals(new Shape(n))) {
            throw new IllegalArgumentException("labels must have shape (" + n + "), got " + cond.labels().getShape());
        }
        Shape perImage = start.getShape().slice(1);
        NDArray x = start;
        History history = History.EMPTY;
        try {
            for (int i = 0; i < plan.steps(); i++) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("sampling cancelled before step " + i + " of " + plan.steps());
                }
                Stepped out = step(i, x, history, cond, noise, images, perImage, start.getManager());
                release(x, history, start, out);
                x = out.x();
                history = out.history();
            }
        } catch (RuntimeException | Error e) {
            // nothing of a failed or cancelled run stays on the caller's manager
            closeHistory(history, start, null);
            if (x != start) {
                x.close();
            }
            throw e;
        }
        closeHistory(history, start, x);
        return x == start ? start.duplicate() : x;
    }

    /** Step i in its own scope: only the new sample and the history survive it. */
    private Stepped step(int i, NDArray x, History history, Conditioning cond, NoiseSource noise, long[] images,
                         Shape perImage, NDManager manager) {
        StepNoise stepNoise = k -> {
            Check.inRange(k, 0, DRAWS_PER_STEP - 1, "noise sub-draw");
            return noise.normal(manager, perImage, images, 1L + (long) DRAWS_PER_STEP * i + k);
        };
        StepContext ctx = new StepContext(denoiser, plan, i, cond, stepNoise);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Stepped out = sampler.step(ctx, x, history);
            observer.afterStep(i, plan.steps(), out.x(), out.x0());
            NDScope.unregister(out.x());
            for (History.Past p : out.history().entries()) {
                NDScope.unregister(p.value());
            }
            return out;
        }
    }

    /** Closes the history's arrays except {@code start} and {@code keep}. */
    private static void closeHistory(History history, NDArray start, NDArray keep) {
        Set<NDArray> closed = identitySet();
        for (History.Past p : history.entries()) {
            if (p.value() != start && p.value() != keep && closed.add(p.value())) {
                p.value().close();
            }
        }
    }

    /** Closes, once each, the previous sample and the history entries the new step no longer holds. */
    private static void release(NDArray oldX, History oldHistory, NDArray start, Stepped out) {
        Set<NDArray> live = identitySet();
        live.add(out.x());
        live.add(start);
        for (History.Past p : out.history().entries()) {
            live.add(p.value());
        }
        if (live.add(oldX)) {
            oldX.close();
        }
        for (History.Past p : oldHistory.entries()) {
            if (live.add(p.value())) {
                p.value().close();
            }
        }
    }

    private static Set<NDArray> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }
}
