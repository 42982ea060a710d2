package dev.parity.jobs;

import dev.parity.features.engine.BadInputException;
import picocli.CommandLine;

/**
 * How every Parity command reports failures: bad input the user can fix (an {@link
 * IllegalArgumentException} or a {@link BadInputException} anywhere in the cause chain) prints one
 * {@code error: ...} line and exits 2; any other failure prints its stack trace and exits 1. Used
 * by the launcher ({@link ParityCli}) and by the jobs' cluster entry points, which run the same
 * commands inside {@code flink run}.
 */
public final class CliErrors {
    private CliErrors() {}

    /** {@code cli} with Parity's error handling installed. */
    public static CommandLine install(CommandLine cli) {
        cli.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                    Throwable cause = rootUserError(e);
                    if (cause != null) {
                        cmd.getErr().println("error: " + cause.getMessage());
                        return 2;
                    }
                    cmd.getErr().println("error: " + e);
                    e.printStackTrace(cmd.getErr());
                    return 1;
                });
        return cli;
    }

    /**
     * Runs {@code command} with {@code args} as a cluster entry point's {@code main} does: a
     * non-zero exit becomes an exception, so {@code flink run} reports the program as failed.
     */
    public static void runOrThrow(Object command, String... args) {
        CommandLine cli = install(new CommandLine(command));
        Exception[] failure = {null};
        CommandLine.IExecutionExceptionHandler report = cli.getExecutionExceptionHandler();
        cli.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                    failure[0] = e; // kept as the cause, for REST and application-mode callers
                    return report.handleExecutionException(e, cmd, parsed);
                });
        int code = cli.execute(args);
        if (code != 0) {
            throw new IllegalStateException(
                    "the command failed with exit code "
                            + code
                            + (failure[0] == null ? "" : ": " + failure[0].getMessage()),
                    failure[0]);
        }
    }

    /**
     * The first IllegalArgumentException or {@link BadInputException} (an input file that cannot be
     * read on, also when it ended a running job) in the cause chain: bad input the user can fix.
     */
    private static Throwable rootUserError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof BadInputException) {
                return t;
            }
        }
        return null;
    }
}
