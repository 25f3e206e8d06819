package io.diffusion4j.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/**
 * What every command shares: {@code --verbose} (read by {@link Errors} from the raw arguments, declared
 * here so picocli accepts and documents it) and the command's output (results) and error (progress,
 * notes) streams, which tests replace.
 */
final class Console {
    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** Standard output of the command: its results. */
    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Standard error of the command: progress and notes. */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
