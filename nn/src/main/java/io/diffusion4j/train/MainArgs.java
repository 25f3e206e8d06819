package io.diffusion4j.train;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --name value} arguments of the developer mains ({@link TrainMain},
 * {@code eval.TrainClassifier}, {@code eval.Calibration}, {@code eval.BitsPerDim}), which run without
 * the command line's picocli: unknown names and malformed numbers are one-line errors with exit code
 * 2, run-time failures exit with 1 (the conventions of CONTRACT.md).
 */
public final class MainArgs {
    private final Map<String, String> values;

    private MainArgs(Map<String, String> values) {
        this.values = values;
    }

    /** A main's body. */
    @FunctionalInterface
    public interface Body {
        void run(MainArgs args) throws IOException;
    }

    /**
     * Parses {@code args} as {@code --name value} pairs, each name one of {@code allowed} (without the
     * dashes), runs {@code body}, and exits with 2 on bad usage and 1 on a failure, printing one line.
     */
    public static void run(String[] args, List<String> allowed, Body body) {
        try {
            body.run(parse(args, allowed));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        } catch (IOException | IllegalStateException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Parses {@code --name value} pairs; throws IllegalArgumentException naming the allowed options. */
    public static MainArgs parse(String[] args, List<String> allowed) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (name == null || !allowed.contains(name)) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; allowed: --" + String.join(", --", allowed));
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            o.put(name, args[++i]);
        }
        return new MainArgs(o);
    }

    /** Whether {@code --name} was given. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The value of {@code --name}, or {@code otherwise}. */
    public String string(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    /** The path of {@code --name}, or {@code otherwise}. */
    public Path path(String name, Path otherwise) {
        return has(name) ? Paths.get(values.get(name)) : otherwise;
    }

    /** The integer of {@code --name}, or {@code otherwise}. */
    public int integer(String name, int otherwise) {
        return Math.toIntExact(whole(name, otherwise));
    }

    /** The long integer of {@code --name}, or {@code otherwise}. */
    public long whole(String name, long otherwise) {
        if (!has(name)) {
            return otherwise;
        }
        try {
            return Long.parseLong(values.get(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + values.get(name) + "'");
        }
    }

    /** The number of {@code --name}, or {@code otherwise}. */
    public double number(String name, double otherwise) {
        if (!has(name)) {
            return otherwise;
        }
        try {
            return Double.parseDouble(values.get(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + values.get(name) + "'");
        }
    }
}
