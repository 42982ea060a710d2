package dev.parity.jobs.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code parity batch-cost}: what batch prediction (the batch mode, docs/ARCHITECTURE.md) spent on
 * flights nobody asked about. Reads a request log (which flights were actually looked up), joins it
 * in PostgreSQL with {@code batch_predictions} and reports, per model version, how many precomputed
 * predictions were never used, as a share of all of them, and the storage those rows take.
 *
 * <p>The log is a CSV file (RFC 4180: quoted fields may hold commas; read with Jackson's CSV
 * parser) with a header and an {@code id} column holding the flight id that was looked up, one
 * record per request; other columns are ignored, and a flight asked about several times counts
 * once. A line whose id is not an integer is reported with its line number and counted; the report
 * is still printed and the command exits with {@value #REJECTED_LINES}.
 */
@Command(
        name = "batch-cost",
        mixinStandardHelpOptions = true,
        description = {
            "Reports the cost of batch prediction: from a request log (CSV with an id column, one"
                    + " line per lookup of a flight's prediction), how many rows of"
                    + " batch_predictions were never requested, as a share of all of them, per"
                    + " model and version, and the table storage they take.",
            "Exit code 4: some lines of the log were rejected (each is named); the report covers"
                    + " the others."
        })
public final class BatchCostCommand implements Callable<Integer> {
    static final int REJECTED_LINES = 4;
    private static final int MAX_LINES_SHOWN = 5;
    private static final int COPY_CHUNK = 64 * 1024;

    @Option(
            names = "--requests",
            required = true,
            paramLabel = "FILE",
            description = "Request log: CSV with a header that has an id column (the flight id).")
    Path requests;

    @Mixin JdbcOptions jdbc;

    @Option(
            names = "--model-name",
            paramLabel = "NAME",
            description =
                    "Only this model's batch predictions, by the name in its manifest (default:"
                            + " every model).")
    String model;

    @Option(
            names = "--model-version",
            paramLabel = "V",
            description = "Only this version (with --model-name; default: every version).")
    String version;

    private final PrintStream console;

    public BatchCostCommand() {
        this(System.out);
    }

    BatchCostCommand(PrintStream console) {
        this.console = console;
    }

    /** The report of one model version. */
    public record Row(
            String model,
            String version,
            long predictions,
            long used,
            long requestsServed,
            long requestedWithoutPrediction) {
        public long unused() {
            return predictions - used;
        }

        public double unusedShare() {
            return predictions == 0 ? 0 : (double) unused() / predictions;
        }
    }

    @Override
    public Integer call() throws Exception {
        return report(jdbc.target());
    }

    /**
     * The report of every model's batch predictions against the request log {@code requests}, as a
     * Java API (the demo's): printed to {@code console}; returns 0, or {@value #REJECTED_LINES}
     * when lines of the log were rejected.
     *
     * @throws IllegalArgumentException naming the log or the database when there is nothing to
     *     report
     */
    public static int report(Path requests, JdbcTarget db, PrintStream console) throws Exception {
        BatchCostCommand c = new BatchCostCommand(console);
        c.requests = requests;
        return c.report(db);
    }

    private int report(JdbcTarget db) throws Exception {
        if (version != null && model == null) {
            throw new IllegalArgumentException("--model-version needs --model-name");
        }
        if (!Files.isReadable(requests)) {
            throw new IllegalArgumentException("--requests: cannot read '" + requests + "'");
        }
        try (Connection c = db.connect()) {
            if (!tableExists(c)) {
                throw new IllegalArgumentException(
                        "--jdbc-url: "
                                + db
                                + " has no batch_predictions table; run `parity batch-predict`"
                                + " first");
            }
            // One transaction, one snapshot: the temporary table lives for it, and the report and
            // the storage figures agree even while a batch-predict run is writing.
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            List<Row> rows;
            long[] storage;
            LogStats log;
            try {
                try (Statement s = c.createStatement()) {
                    s.execute(
                            "CREATE TEMPORARY TABLE requested_flights (id BIGINT NOT NULL)"
                                    + " ON COMMIT DROP");
                }
                log = copyLog(c);
                if (log.requests == 0) {
                    throw new IllegalArgumentException(
                            "--requests: "
                                    + requests
                                    + " has no valid request ("
                                    + log.rejected
                                    + " rejected"
                                    + (log.firstRejected.isEmpty()
                                            ? ""
                                            : ", first: " + log.firstRejected.get(0))
                                    + ")");
                }
                try (Statement s = c.createStatement()) {
                    s.execute("ANALYZE requested_flights");
                }
                rows = report(c);
                storage = storage(c);
            } finally {
                c.rollback(); // read only: nothing to keep, and the temporary table goes
            }

            print(log, rows, storage);
            if (rows.isEmpty()) {
                throw new IllegalArgumentException(
                        "no batch predictions"
                                + (model == null ? "" : " of model " + model)
                                + (version == null ? "" : " version " + version)
                                + " in "
                                + db);
            }
            return log.rejected == 0 ? 0 : REJECTED_LINES;
        }
    }

    private static boolean tableExists(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT to_regclass('batch_predictions')")) {
            rs.next();
            return rs.getString(1) != null;
        }
    }

    /** Counts of the request log. */
    static final class LogStats {
        long requests;
        long rejected;
        final List<String> firstRejected = new ArrayList<>();
    }

    /** Streams the log's valid ids into {@code requested_flights} with COPY. */
    private LogStats copyLog(Connection c) throws IOException, SQLException {
        LogStats stats = new LogStats();
        CopyIn copy =
                c.unwrap(PGConnection.class)
                        .getCopyAPI()
                        .copyIn("COPY requested_flights (id) FROM STDIN");
        CsvMapper csv = new CsvMapper();
        try (InputStream in = Files.newInputStream(requests);
                MappingIterator<String[]> rows =
                        csv.readerFor(String[].class)
                                .with(CsvParser.Feature.WRAP_AS_ARRAY)
                                .with(CsvParser.Feature.SKIP_EMPTY_LINES)
                                .readValues(in)) {
            // hasNextValue()/nextValue() throw the parser's own exception, with its location
            if (!rows.hasNextValue()) {
                throw new IllegalArgumentException(requests + ": empty file, expected a header");
            }
            int idColumn = columnIndex(rows.nextValue(), "id");
            StringBuilder chunk = new StringBuilder(COPY_CHUNK + 32);
            while (true) {
                // before hasNext(): the line the next record starts on (blank lines skipped)
                long lineNo = rows.getCurrentLocation().getLineNr();
                if (!rows.hasNextValue()) {
                    break;
                }
                String[] fields = rows.nextValue();
                String problem = null;
                if (fields.length <= idColumn) {
                    problem = "no id field";
                } else {
                    String id = fields[idColumn].strip();
                    try {
                        chunk.append(Long.parseLong(id)).append('\n');
                    } catch (NumberFormatException e) {
                        problem = "id '" + id + "' is not an integer";
                    }
                }
                if (problem == null) {
                    stats.requests++;
                } else {
                    stats.rejected++;
                    if (stats.firstRejected.size() < MAX_LINES_SHOWN) {
                        stats.firstRejected.add(requests + ":" + lineNo + ": " + problem);
                    }
                }
                if (chunk.length() >= COPY_CHUNK) {
                    write(copy, chunk);
                }
            }
            write(copy, chunk);
            copy.endCopy();
        } catch (JsonProcessingException e) {
            // a record the CSV parser cannot read at all, e.g. an unclosed quote
            cancel(copy, e);
            throw new IllegalArgumentException(
                    requests
                            + ":"
                            + e.getLocation().getLineNr()
                            + ": not readable as CSV: "
                            + e.getOriginalMessage(),
                    e);
        } catch (IOException | SQLException | RuntimeException e) {
            cancel(copy, e);
            throw e;
        }
        return stats;
    }

    /** Ends a COPY that failed, keeping the first failure as the one reported. */
    private static void cancel(CopyIn copy, Exception cause) {
        try {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static void write(CopyIn copy, StringBuilder chunk) throws SQLException {
        byte[] bytes = chunk.toString().getBytes(StandardCharsets.US_ASCII);
        copy.writeToCopy(bytes, 0, bytes.length);
        chunk.setLength(0);
    }

    private int columnIndex(String[] columns, String name) {
        for (int i = 0; i < columns.length; i++) {
            if (columns[i].strip().equalsIgnoreCase(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(
                requests
                        + ":1: the header has no '"
                        + name
                        + "' column: "
                        + String.join(",", columns));
    }

    private List<Row> report(Connection c) throws SQLException {
        String filter =
                (model == null ? "" : " AND b.model = ?")
                        + (version == null ? "" : " AND b.version = ?");
        // One pass over batch_predictions. (id, model, version) is its key, so a version has at
        // most one row per requested id: the requested flights it has no row for are the
        // distinct requested ids minus the ones it used.
        String sql =
                "WITH r AS (SELECT id, count(*) AS n FROM requested_flights GROUP BY id)"
                        + " SELECT b.model, b.version, count(*), count(r.id),"
                        + " coalesce(sum(r.n), 0),"
                        + " (SELECT count(*) FROM r) - count(r.id)"
                        + " FROM batch_predictions b LEFT JOIN r ON r.id = b.id"
                        + " WHERE true"
                        + filter
                        + " GROUP BY b.model, b.version ORDER BY b.model, b.version";
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            if (model != null) {
                ps.setString(p++, model);
            }
            if (version != null) {
                ps.setString(p, version);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(
                            new Row(
                                    rs.getString(1),
                                    rs.getString(2),
                                    rs.getLong(3),
                                    rs.getLong(4),
                                    rs.getLong(5),
                                    rs.getLong(6)));
                }
            }
        }
        return rows;
    }

    /** {rows of batch_predictions, its bytes on disk including indexes, distinct requested ids}. */
    private static long[] storage(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT (SELECT count(*) FROM batch_predictions),"
                                        + " pg_total_relation_size('batch_predictions'),"
                                        + " (SELECT count(DISTINCT id) FROM requested_flights)")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
    }

    private void print(LogStats log, List<Row> rows, long[] storage) {
        console.printf(
                Locale.ROOT,
                "batch-cost: %,d requests for %,d distinct ids in %s (%,d lines rejected)%n",
                log.requests,
                storage[2],
                requests,
                log.rejected);
        for (String r : log.firstRejected) {
            console.println("  rejected " + r);
        }
        console.printf(
                Locale.ROOT,
                "%-28s %12s %12s %12s %8s %12s %15s%n",
                "model/version",
                "predictions",
                "used",
                "never_used",
                "share",
                "requests_hit",
                "missing_flights");
        for (Row r : rows) {
            console.printf(
                    Locale.ROOT,
                    "%-28s %,12d %,12d %,12d %7.2f%% %,12d %,15d%n",
                    r.model() + "/" + r.version(),
                    r.predictions(),
                    r.used(),
                    r.unused(),
                    100 * r.unusedShare(),
                    r.requestsServed(),
                    r.requestedWithoutPrediction());
        }
        long tableRows = storage[0];
        long bytes = storage[1];
        long unused = rows.stream().mapToLong(Row::unused).sum();
        if (tableRows > 0) {
            console.printf(
                    Locale.ROOT,
                    "storage: batch_predictions holds %,d rows in %.1f MB (with its index); the"
                            + " %,d never-used rows above take about %.1f MB of it%n",
                    tableRows,
                    bytes / 1e6,
                    unused,
                    bytes / 1e6 * unused / tableRows);
        }
    }
}
