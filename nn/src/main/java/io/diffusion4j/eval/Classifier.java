package io.diffusion4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffusion4j.nn.Conv;
import io.diffusion4j.nn.Dense;
import io.diffusion4j.nn.GroupNorm;
import io.diffusion4j.nn.Layer;
import io.diffusion4j.nn.TrainableNetwork;
import io.diffusion4j.util.Check;

/**
 * The small CNN whose penultimate layer is the feature space of the sample-quality metrics (the
 * practice of FID on a dataset-specific classifier, since Inception features fit 28×28 grey images
 * poorly). Layout ({@link ClassifierConfig}): [conv3×3–GN–ReLU]×2, maxpool 2; [conv3×3–GN–ReLU]×2,
 * maxpool 2; conv1×1–ReLU; flatten; Dense–ReLU = <b>features</b>; dropout (training only); Dense =
 * logits. GroupNorm (Wu &amp; He 2018) rather than batch norm, so the network has no running
 * statistics: its output is a function of its parameters and the input alone, and the trainer's EMA
 * covers everything.
 *
 * <p>Input: float32 (N, C, S, S) in [−1, 1] (for 8-bit images, pixel/127.5 − 1; background black = −1),
 * the preprocessing of {@link io.diffusion4j.data.LabeledImages}. {@link #forward} ignores t and labels.
 *
 * <p>Parameter keys: {@code stage1.conv1.weight}, {@code stage1.norm1.weight}, … {@code stage2.conv2.bias},
 * {@code reduce.weight}, {@code features.weight}, {@code logits.weight} (and the biases).
 */
public final class Classifier extends Layer implements TrainableNetwork {
    private final ClassifierConfig config;
    private final Conv[] convs = new Conv[4];
    private final GroupNorm[] norms = new GroupNorm[4];
    private final Conv reduce;
    private final Dense features;
    private final Dense logits;

    /** Features and logits of one batch. */
    public record Outputs(NDArray features, NDArray logits) {}

    /** A classifier of the given shape; initialise it with {@link io.diffusion4j.nn.Params#create}. */
    public Classifier(ClassifierConfig config) {
        this.config = Check.notNull(config, "config");
        int[] in = {config.inChannels(), config.width1(), config.width1(), config.width2()};
        int[] out = {config.width1(), config.width1(), config.width2(), config.width2()};
        for (int i = 0; i < 4; i++) {
            String prefix = "stage" + (i / 2 + 1) + ".";
            convs[i] = child(prefix + "conv" + (i % 2 + 1), new Conv(in[i], out[i], 3));
            norms[i] = child(prefix + "norm" + (i % 2 + 1), new GroupNorm(config.groups(), out[i]));
        }
        reduce = child("reduce", new Conv(config.width2(), config.reduced(), 1));
        int s = config.finalSize();
        features = child("features", new Dense(config.reduced() * s * s, config.features()));
        logits = child("logits", new Dense(config.features(), config.classes()));
    }

    /** The configuration. */
    public ClassifierConfig config() {
        return config;
    }

    /** Logits (N, classes) of x (N, C, S, S); {@code t} and {@code labels} are ignored. */
    @Override
    public NDArray forward(ParameterStore ps, NDArray x, NDArray t, NDArray labels, boolean training) {
        return apply(ps, x, training).logits();
    }

    /**
     * Features (N, features), post-ReLU, and logits (N, classes) of x.
     *
     * @param x float32 (N, C, S, S) in [−1, 1]
     * @param training whether dropout is active (it draws from the engine's generator)
     */
    public Outputs apply(ParameterStore ps, NDArray x, boolean training) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != config.inChannels() || s.get(2) != config.imageSize() || s.get(3) != config.imageSize()) {
            throw new IllegalArgumentException("the classifier expects images (N, " + config.inChannels() + ", " + config.imageSize()
                    + ", " + config.imageSize() + "), got " + s);
        }
        NDArray h = x;
        for (int i = 0; i < 4; i++) {
            h = Activation.relu(norms[i].forward(ps, convs[i].forward(ps, h, training), training));
            if (i % 2 == 1) {
                h = Pool.maxPool2d(h, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
            }
        }
        h = Activation.relu(reduce.forward(ps, h, training));
        NDArray f = Activation.relu(features.forward(ps, h.reshape(s.get(0), -1), training));
        NDArray d = training && config.dropout() > 0 ? Dropout.dropout(f, (float) config.dropout(), true).singletonOrThrow() : f;
        return new Outputs(f, logits.forward(ps, d, training));
    }

    /** The logits (N, classes) of features (N, features): the last layer alone, without dropout. */
    public NDArray logitsOf(ParameterStore ps, NDArray features) {
        return logits.forward(ps, features, false);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(apply(ps, inputs.get(0), training).logits());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {new Shape(inputs[0].get(0), config.classes())};
    }
}
