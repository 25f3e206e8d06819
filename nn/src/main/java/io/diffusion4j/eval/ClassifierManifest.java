package io.diffusion4j.eval;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.annotations.SerializedName;
import io.diffusion4j.util.Check;

/**
 * {@code fmnist-classifier.json}: what the shipped classifier is, how it was made (provenance) and the
 * SHA-256 of the two binary files it describes. Written by {@link TrainClassifier}.
 *
 * @param format {@link #FORMAT}
 * @param config the network's shape
 * @param preprocessing the exact input convention, in words
 * @param weightsFile safetensors file of the classifier's parameters (float32, keys of {@link Classifier})
 * @param weightsSha256 its SHA-256, lower-case hex
 * @param weightsKind {@code "ema"} or {@code "raw"}: which of the trainer's two networks was shipped
 * @param referenceFile safetensors file of the reference features ({@link ReferenceSet})
 * @param referenceSha256 its SHA-256
 * @param referenceSize rows of the shipped train and test feature subsets
 * @param subsetSeed seed of the permutations that choose those subsets ({@link ReferenceSet#subset})
 * @param testAccuracy accuracy of the shipped weights on the 10,000 test images
 * @param rawTestAccuracy accuracy of the raw weights
 * @param emaTestAccuracy accuracy of the EMA weights
 * @param steps optimisation steps
 * @param batchSize images per step
 * @param trainSeconds time spent in optimisation steps, summed over resumed invocations (evaluation excluded)
 * @param threads engine threads used for training
 * @param command how to re-create these files
 */
public record ClassifierManifest(
        String format,
        ClassifierConfig config,
        String preprocessing,
        @SerializedName("weights_file") String weightsFile,
        @SerializedName("weights_sha256") String weightsSha256,
        @SerializedName("weights_kind") String weightsKind,
        @SerializedName("reference_file") String referenceFile,
        @SerializedName("reference_sha256") String referenceSha256,
        @SerializedName("reference_size") int referenceSize,
        @SerializedName("subset_seed") long subsetSeed,
        @SerializedName("test_accuracy") double testAccuracy,
        @SerializedName("raw_test_accuracy") double rawTestAccuracy,
        @SerializedName("ema_test_accuracy") double emaTestAccuracy,
        long steps,
        @SerializedName("batch_size") int batchSize,
        @SerializedName("train_seconds") double trainSeconds,
        int threads,
        String command) {
    /** Format tag. */
    public static final String FORMAT = "diffusion4j-classifier/1";
    /** File name of the manifest. */
    public static final String FILE = "fmnist-classifier.json";
    /** The input convention of the shipped classifier. */
    public static final String PREPROCESSING = "float32 (N, 1, 28, 28), values in [-1, 1]: an 8-bit grey pixel p maps to "
            + "p / 127.5 - 1 (background black = -1), row-major, no other normalisation; the layout and scaling of "
            + "io.diffusion4j.data.LabeledImages";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();

    public ClassifierManifest {
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("classifier manifest has format " + format + ", expected " + FORMAT);
        }
        Check.notNull(config, "config");
        Check.notNull(weightsFile, "weights_file");
        Check.notNull(weightsSha256, "weights_sha256");
        Check.notNull(referenceFile, "reference_file");
        Check.notNull(referenceSha256, "reference_sha256");
        Check.positive(referenceSize, "reference_size");
    }

    /** Pretty-printed JSON. */
    public String toJson() {
        return GSON.toJson(this);
    }

    /** Parses a manifest; a malformed one throws IllegalArgumentException naming {@code source}. */
    public static ClassifierManifest fromJson(String json, String source) {
        try {
            ClassifierManifest m = GSON.fromJson(json, ClassifierManifest.class);
            if (m == null) {
                throw new IllegalArgumentException(source + " is empty");
            }
            return m;
        } catch (RuntimeException e) {   // Gson wraps the record constructor's IllegalArgumentException
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IllegalArgumentException(source + " is not a valid classifier manifest: " + root.getMessage(), e);
        }
    }
}
