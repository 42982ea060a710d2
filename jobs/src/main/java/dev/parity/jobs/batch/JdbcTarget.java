package dev.parity.jobs.batch;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;

/**
 * Where the serving tables live: a PostgreSQL JDBC URL and optional credentials. Checked and
 * prepared (tables created from {@code db/parity-tables.sql}) on the client before a job starts, so
 * a bad URL or an unreachable database fails with a message naming the option, not as a task
 * failure deep in the job.
 *
 * <pre>{@code
 * JdbcTarget db = JdbcTarget.of("jdbc:postgresql://db:5432/parity", "parity", password);
 * db.prepareTables();
 * }</pre>
 */
public final class JdbcTarget implements Serializable {
    private static final long serialVersionUID = 1L;
    static final String URL_PREFIX = "jdbc:postgresql:";
    static final String DDL = "db/parity-tables.sql";

    private final String url;
    private final String user;
    private final String password;

    private JdbcTarget(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** {@code user} and {@code password} may be null (then the URL's own parameters apply). */
    public static JdbcTarget of(String url, String user, String password) {
        if (url == null || !url.startsWith(URL_PREFIX)) {
            throw new IllegalArgumentException(
                    "--jdbc-url: expected a PostgreSQL URL starting with '"
                            + URL_PREFIX
                            + "' (e.g. jdbc:postgresql://host:5432/db), got '"
                            + url
                            + "'");
        }
        return new JdbcTarget(url, user, password);
    }

    /**
     * The password in the first line of {@code file} (the value of {@code --jdbc-password-file}),
     * or null when no file is given. Passwords never go on the command line.
     */
    public static String passwordFromFile(Path file) throws IOException {
        if (file == null) {
            return null;
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("--jdbc-password-file: cannot read '" + file + "'");
        }
        String password =
                Files.readString(file, StandardCharsets.UTF_8)
                        .lines()
                        .findFirst()
                        .orElse("")
                        .strip();
        if (password.isEmpty()) {
            throw new IllegalArgumentException(
                    "--jdbc-password-file: '"
                            + file
                            + "' is empty (the password is its first line)");
        }
        return password;
    }

    public String url() {
        return url;
    }

    /** A new connection; a failure names {@code --jdbc-url} and the driver's reason. */
    public Connection connect() {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        // Fail in seconds, not minutes, when the host does not answer.
        props.setProperty("connectTimeout", "10");
        try {
            // The driver directly, not DriverManager: on a session cluster a driver registered by
            // another job's classloader is not visible to this one ("No suitable driver").
            Connection c = new org.postgresql.Driver().connect(url, props);
            if (c == null) {
                throw new SQLException("the PostgreSQL driver does not accept this URL", "08001");
            }
            return c;
        } catch (SQLException e) {
            throw new IllegalArgumentException(
                    "--jdbc-url: cannot connect to "
                            + this
                            + " (SQL state "
                            + e.getSQLState()
                            + "): "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Creates the serving tables if they are missing. A {@code feature_snapshots} table of the
     * layout before feature specs (no {@code spec_fingerprint} column) is refused in one line
     * instead of being misread: its rows are per entity of the built-in flights features only.
     */
    public void prepareTables() throws SQLException {
        String ddl;
        try (InputStream in = JdbcTarget.class.getClassLoader().getResourceAsStream(DDL)) {
            if (in == null) {
                throw new IllegalStateException("resource " + DDL + " is missing");
            }
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + DDL, e);
        }
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            try (ResultSet old =
                    s.executeQuery(
                            "SELECT 1 FROM information_schema.tables t WHERE t.table_name ="
                                    + " 'feature_snapshots' AND t.table_schema = current_schema()"
                                    + " AND NOT EXISTS (SELECT 1 FROM information_schema.columns"
                                    + " k WHERE k.table_name = t.table_name AND k.table_schema ="
                                    + " t.table_schema AND k.column_name = 'spec_fingerprint')")) {
                if (old.next()) {
                    throw new IllegalArgumentException(
                            "--jdbc-url: "
                                    + this
                                    + " has a feature_snapshots table of an earlier Parity"
                                    + " (without spec_fingerprint); drop it (DROP TABLE"
                                    + " feature_snapshots) and re-run batch-predict, or use"
                                    + " another database");
                }
            }
            for (String statement : ddl.replaceAll("(?m)--.*$", "").split(";")) {
                if (!statement.isBlank()) {
                    s.execute(statement);
                }
            }
        }
    }

    /** The connector's options for the same database. */
    JdbcConnectionOptions connectionOptions() {
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder b =
                new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(url)
                        .withDriverName("org.postgresql.Driver");
        if (user != null) {
            b.withUsername(user);
        }
        if (password != null) {
            b.withPassword(password);
        }
        return b.build();
    }

    @Override
    public String toString() {
        // never the password, not even one given as a URL parameter
        return url.replaceAll("(?i)(password=)[^&]*", "$1***")
                + (user == null ? "" : " as " + user);
    }
}
