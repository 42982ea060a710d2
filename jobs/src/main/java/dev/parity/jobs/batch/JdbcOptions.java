package dev.parity.jobs.batch;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The database options every serving command shares ({@code batch-predict}, {@code batch-cost},
 * {@code online}), as a picocli mixin: {@code @Mixin JdbcOptions jdbc;}.
 */
public final class JdbcOptions {
    @Option(
            names = "--jdbc-url",
            required = true,
            paramLabel = "URL",
            description = "PostgreSQL JDBC URL, e.g. jdbc:postgresql://localhost:5432/parity.")
    String url;

    @Option(
            names = "--jdbc-user",
            paramLabel = "USER",
            description = "Database user (default: the URL's or the driver's).")
    String user;

    @Option(
            names = "--jdbc-password-file",
            paramLabel = "FILE",
            description =
                    "File holding the database password (first line); never given on the command"
                            + " line.")
    Path passwordFile;

    /** The target these options name; fails naming the option on a bad URL or password file. */
    public JdbcTarget target() throws IOException {
        return JdbcTarget.of(url, user, JdbcTarget.passwordFromFile(passwordFile));
    }
}
