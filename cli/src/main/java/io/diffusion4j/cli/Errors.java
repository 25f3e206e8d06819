package io.diffusion4j.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.Arrays;

/** One-line error reporting for picocli, instead of its usage dump (CONTRACT.md "Command line"). */
final class Errors {
    static final int BAD_USAGE = 2;
    static final int FAILURE = 1;

    private Errors() {}

    /** A bad option or value: exit 2. */
    static int onBadUsage(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("error: " + oneLine(e.getMessage()) + (e.getMessage().contains(";") ? "" : "; try --help"));
        if (verbose(args)) {
            e.printStackTrace(err);
        }
        err.flush();
        return BAD_USAGE;
    }

    /** An exception while running: exit 2 for {@link UsageException}, else 1. */
    static int onFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        err.println("error: " + oneLine(message));
        if (verbose(parsed.originalArgs().toArray(new String[0]))) {
            e.printStackTrace(err);
        }
        err.flush();
        return e instanceof UsageException || e instanceof IllegalArgumentException ? BAD_USAGE : FAILURE;
    }

    private static boolean verbose(String[] args) {
        return Arrays.asList(args).contains("--verbose");
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ').trim();
    }

    /** A failure at run time that is not a bug (unwritable output, corrupt input): exit 1. */
    static final class RunFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RunFailure(String message) {
            super(message);
        }
    }

    /** A usage error found after parsing (bad combination of values): exit 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
