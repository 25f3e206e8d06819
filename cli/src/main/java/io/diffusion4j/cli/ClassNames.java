package io.diffusion4j.cli;

import java.util.Locale;

/** Class indices from the command line: a number, or a Fashion-MNIST name (t-shirt, trouser, …, ankle-boot). */
final class ClassNames {
    static final String[] FASHION_MNIST = {"t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"};

    private ClassNames() {}

    /** Parses one --class value for a model with {@code numClasses} classes. */
    static int parse(String value, int numClasses) {
        if (numClasses == 0) {
            throw new Errors.UsageException("--class needs a class-conditional model; this model is unconditional");
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (int i = 0; i < FASHION_MNIST.length && numClasses == FASHION_MNIST.length; i++) {
            if (FASHION_MNIST[i].equals(v) || (i == 0 && v.equals("tshirt"))) {
                return i;
            }
        }
        try {
            int c = Integer.parseInt(v);
            if (c < 0 || c >= numClasses) {
                throw new Errors.UsageException("--class must be in 0.." + (numClasses - 1) + allowedNames(numClasses) + ", got " + value);
            }
            return c;
        } catch (NumberFormatException e) {
            throw new Errors.UsageException("--class must be a number 0.." + (numClasses - 1) + allowedNames(numClasses) + ", got '" + value + "'");
        }
    }

    /**
     * The class of each of {@code count} images: {@code --class} for all, or 0, 1, …, K−1 cycling; all 0
     * for an unconditional model (K = 0).
     */
    static long[] labels(int count, int numClasses, String classOption) {
        int fixed = classOption == null ? -1 : parse(classOption, numClasses);
        long[] labels = new long[count];
        for (int i = 0; i < count; i++) {
            labels[i] = numClasses == 0 ? 0 : fixed >= 0 ? fixed : i % numClasses;
        }
        return labels;
    }

    /** Name of class c for display. */
    static String name(int c, int numClasses) {
        return numClasses == FASHION_MNIST.length ? FASHION_MNIST[c] : Integer.toString(c);
    }

    private static String allowedNames(int numClasses) {
        return numClasses == FASHION_MNIST.length ? " or one of " + String.join(", ", FASHION_MNIST) : "";
    }
}
