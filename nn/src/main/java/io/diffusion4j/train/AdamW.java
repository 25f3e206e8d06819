package io.diffusion4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov &amp; Hutter 2019; PyTorch's {@code torch.optim.AdamW} update) with its moment
 * estimates m and v kept as our own arrays under the parameter keys, so they can be checkpointed
 * (DJL's optimizer state cannot). One fused engine call per parameter:
 * w ← w·(1 − lr·wd); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
 * w ← w − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε·√(1 − β₂ᵗ)), which is PyTorch's m̂/(√v̂ + ε) exactly.
 */
public final class AdamW implements AutoCloseable {
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private final TrainConfig config;

    /** Zero moments for the given parameters, allocated on {@code manager}. */
    public AdamW(Map<String, NDArray> params, TrainConfig config, NDManager manager) {
        this.config = config;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            m.put(e.getKey(), manager.zeros(e.getValue().getShape(), DataType.FLOAT32));
            v.put(e.getKey(), manager.zeros(e.getValue().getShape(), DataType.FLOAT32));
        }
    }

    /**
     * One update of every parameter in place.
     *
     * @param weights parameter arrays by key
     * @param grads their gradients by key
     * @param t 1-based update count (bias correction)
     * @param lr learning rate of this step
     * @param gradScale factor applied to every gradient first (global-norm clipping)
     */
    public void update(Map<String, NDArray> weights, Map<String, NDArray> grads, long t, double lr, double gradScale) {
        double c1 = 1 - StrictMath.pow(config.beta1(), t);
        double c2 = StrictMath.sqrt(1 - StrictMath.pow(config.beta2(), t));
        float lrCorrected = (float) (lr * c2 / c1);
        float eps = (float) (config.adamEps() * c2);
        for (Map.Entry<String, NDArray> e : weights.entrySet()) {
            NDArray w = e.getValue();
            NDArray g = grads.get(e.getKey());
            w.getNDArrayInternal().adamUpdate(new NDList(w, g, m.get(e.getKey()), v.get(e.getKey())), new NDList(w),
                    (float) lr, lrCorrected, (float) config.weightDecay(), (float) gradScale, -1f,
                    (float) config.beta1(), (float) config.beta2(), eps, false, true);
        }
    }

    /** First moments by parameter key (the live arrays). */
    public Map<String, NDArray> firstMoments() {
        return m;
    }

    /** Second moments by parameter key (the live arrays). */
    public Map<String, NDArray> secondMoments() {
        return v;
    }

    @Override
    public void close() {
        m.values().forEach(NDArray::close);
        v.values().forEach(NDArray::close);
    }
}
