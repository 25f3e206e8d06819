package io.diffusion4j.eval;

import io.diffusion4j.util.Check;

/**
 * What the classifier sees in a set of images: the features (post-ReLU penultimate layer) and the
 * class probabilities softmax(logits), in float64.
 *
 * @param features n rows of the feature width
 * @param probabilities n rows of the class count, each summing to 1
 */
public record Embedding(double[][] features, double[][] probabilities) {
    public Embedding {
        Check.notNull(features, "features");
        Check.notNull(probabilities, "probabilities");
        if (features.length != probabilities.length) {
            throw new IllegalArgumentException(features.length + " feature rows but " + probabilities.length + " probability rows");
        }
    }

    /** Number of images. */
    public int size() {
        return features.length;
    }

    /** The arg-max class of each image (the lowest index on ties). */
    public int[] predictions() {
        int[] out = new int[probabilities.length];
        for (int i = 0; i < out.length; i++) {
            double[] p = probabilities[i];
            int best = 0;
            for (int k = 1; k < p.length; k++) {
                if (p[k] > p[best]) {
                    best = k;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** Share of images whose predicted class equals {@code labels[i]}. */
    public double accuracy(long[] labels) {
        if (labels.length != size()) {
            throw new IllegalArgumentException(labels.length + " labels for " + size() + " images");
        }
        int[] pred = predictions();
        int correct = 0;
        for (int i = 0; i < pred.length; i++) {
            if (pred[i] == labels[i]) {
                correct++;
            }
        }
        return (double) correct / pred.length;
    }

    /**
     * The classifier score, exp(E_x KL(p(y|x) ‖ p(y))) (Salimans et al. 2016's Inception score on our
     * classifier): between 1 and the class count; high when images are confidently classified and the
     * classes are balanced.
     */
    public double classifierScore() {
        int n = size();
        int k = probabilities[0].length;
        double[] marginal = new double[k];
        for (double[] p : probabilities) {
            for (int j = 0; j < k; j++) {
                marginal[j] += p[j] / n;
            }
        }
        double kl = 0;
        for (double[] p : probabilities) {
            for (int j = 0; j < k; j++) {
                if (p[j] > 0) {
                    kl += p[j] * (Math.log(p[j]) - Math.log(marginal[j])) / n;
                }
            }
        }
        return Math.exp(kl);
    }

    /** The first {@code m} images. */
    public Embedding head(int m) {
        Check.inRange(m, 0, size(), "rows");
        return new Embedding(java.util.Arrays.copyOf(features, m), java.util.Arrays.copyOf(probabilities, m));
    }
}
