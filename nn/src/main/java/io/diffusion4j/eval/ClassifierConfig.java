package io.diffusion4j.eval;

import io.diffusion4j.util.Check;

/**
 * Shape of a {@link Classifier}: two stages of two 3×3 convolutions (GroupNorm, ReLU) each followed by
 * 2×2 max pooling (28 → 14 → 7), a 1×1 convolution down to {@code reduced} channels, then the feature
 * layer Dense(reduced·7·7 → features) + ReLU and the logits Dense(features → classes).
 *
 * @param inChannels image channels (1 for Fashion-MNIST)
 * @param imageSize height = width of the input, divisible by 4
 * @param width1 channels of the first stage (28×28)
 * @param width2 channels of the second stage (14×14)
 * @param reduced channels of the 1×1 convolution before flattening (7×7)
 * @param features width of the penultimate (post-ReLU) layer: the feature space of the metrics
 * @param classes number of classes
 * @param groups GroupNorm groups, dividing width1 and width2
 * @param dropout dropout on the features during training, in [0, 1)
 */
public record ClassifierConfig(int inChannels, int imageSize, int width1, int width2, int reduced, int features, int classes,
                               int groups, double dropout) {
    /** The shipped Fashion-MNIST classifier. */
    public static final ClassifierConfig FASHION_MNIST = new ClassifierConfig(1, 28, 32, 64, 32, 128, 10, 8, 0.3);

    public ClassifierConfig {
        Check.positive(inChannels, "inChannels");
        Check.positive(imageSize, "imageSize");
        if (imageSize % 4 != 0) {
            throw new IllegalArgumentException("imageSize must be divisible by 4 (two 2x2 poolings), got " + imageSize);
        }
        Check.positive(width1, "width1");
        Check.positive(width2, "width2");
        Check.positive(reduced, "reduced");
        Check.positive(features, "features");
        Check.positive(classes, "classes");
        Check.positive(groups, "groups");
        if (width1 % groups != 0 || width2 % groups != 0) {
            throw new IllegalArgumentException("widths " + width1 + " and " + width2 + " must be divisible by groups (" + groups + ")");
        }
        Check.inRange(dropout, 0.0, 0.999, "dropout");
    }

    /** Side of the feature map after the two poolings. */
    public int finalSize() {
        return imageSize / 4;
    }
}
