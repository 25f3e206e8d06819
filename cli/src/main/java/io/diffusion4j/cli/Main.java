package io.diffusion4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code diffusion4j} command. Errors are one line on stderr, {@code error: <what>; <allowed>},
 * with exit code 2 for bad usage and 1 for failures at run time (CONTRACT.md); {@code --verbose}
 * adds the stack trace.
 */
@Command(name = "diffusion4j", mixinStandardHelpOptions = true, version = "diffusion4j 0.1.0",
        description = "Diffusion generative models on the JVM.",
        subcommands = {GenerateCommand.class, TrainCommand.class, SampleCommand.class, EvalCommand.class, BenchCommand.class, InfoCommand.class, ExportCommand.class,
                DemoCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required; one of: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** Runs the command line and returns its exit code. */
    public static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs the command line with the given output and error streams and returns its exit code. */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler(Errors::onBadUsage);
        cli.setExecutionExceptionHandler(Errors::onFailure);
        try {
            return cli.execute(args);
        } finally {
            // print() does not flush an autoflush PrintWriter, and main() ends with System.exit
            out.flush();
            err.flush();
        }
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
