package dev.parity.tests.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.events.EventExpansion;
import dev.parity.features.events.FlightEvent;
import dev.parity.features.events.FlightRow;
import dev.parity.features.reference.NaiveSnapshotReference;
import dev.parity.features.reference.SampleData;
import dev.parity.jobs.ParityCli;
import dev.parity.jobs.batch.BatchPredictionRows;
import dev.parity.jobs.kafka.PredictionRecords;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `parity batch-predict` against a real PostgreSQL (embedded, started here): the rows equal the
 * backfill's predictions.csv for the same model, the daily snapshots equal the backfill's daily
 * feature and a naive recomputation, a re-run leaves the same rows, a period keeps only its flights
 * and days, and a bad or unreachable database fails before the job, naming the option.
 */
class BatchPredictionITCase {
    private static final Path ROOT = SampleData.path().getParent().getParent().getParent();
    private static final String MODEL = ROOT.resolve("models/bundled/flights-linear/1").toString();
    private static EmbeddedPostgres postgres;
    private static List<String> backfill;

    @TempDir static Path shared;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        Path out = shared.resolve("backfill");
        assertThat(
                        ParityCli.execute(
                                "backfill",
                                "--events",
                                SampleData.path().toString(),
                                "--out",
                                out.toString(),
                                "--model",
                                MODEL,
                                "--progress-interval",
                                "PT0S"))
                .isZero();
        List<String> lines = Files.readAllLines(out.resolve("predictions.csv"));
        backfill = new ArrayList<>(lines.subList(1, lines.size()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void emptyTables() throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS batch_predictions, feature_snapshots");
        }
    }

    private static String url() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    private static int batchPredict(String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "batch-predict",
                                "--events",
                                SampleData.path().toString(),
                                "--model",
                                MODEL,
                                "--jdbc-url",
                                url(),
                                "--progress-interval",
                                "PT0S"));
        args.addAll(List.of(extra));
        return ParityCli.execute(args.toArray(new String[0]));
    }

    /** id -> "id,model,version,prediction", the backfill's CSV form. */
    private static Map<Long, String> tableRows() throws Exception {
        Map<Long, String> rows = new TreeMap<>();
        try (Connection c = postgres.getPostgresDatabase().getConnection()) {
            for (String line : BatchPredictionRows.lines(c)) {
                long id = PredictionRecords.idOf(line);
                assertThat(rows.put(id, line)).as("duplicate id %d", id).isNull();
            }
        }
        return rows;
    }

    @Test
    void rowsEqualTheBackfillsPredictionsAndAReRunLeavesTheSameRows() throws Exception {
        assertThat(batchPredict("--parallelism", "2")).isZero();
        Map<Long, String> first = tableRows();
        assertThat(first).hasSize(backfill.size());
        assertThat(new ArrayList<>(first.values())).containsExactlyElementsOf(backfill);

        Map<String, Double> snapshots = snapshotRows();
        assertSnapshotsMatchTheReferences(snapshots);

        assertThat(batchPredict("--parallelism", "1")).isZero();
        Map<Long, String> second = tableRows();
        assertThat(second).isEqualTo(first);
        assertThat(snapshotRows()).isEqualTo(snapshots);
    }

    /** "entity|yyyy-mm-dd|feature" -> value (NaN for null), the whole snapshot table. */
    private static Map<String, Double> snapshotRows() throws Exception {
        Map<String, Double> rows = new TreeMap<>();
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT entity, day, feature, value FROM feature_snapshots")) {
            while (rs.next()) {
                double v = rs.getDouble(4);
                // wasNull() refers to the last column read: ask right after the value
                double value = rs.wasNull() ? Double.NaN : v;
                rows.put(
                        rs.getString(1) + "|" + rs.getDate(2).toLocalDate() + "|" + rs.getString(3),
                        value);
            }
        }
        return rows;
    }

    /** One day's snapshot of one entity, looked up the way a server would. */
    private static Map<String, Double> lookUp(String entity, LocalDate day) throws Exception {
        Map<String, Double> values = new TreeMap<>();
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT feature, value FROM feature_snapshots"
                                        + " WHERE entity = ? AND day = ?")) {
            ps.setString(1, entity);
            ps.setObject(2, day);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double v = rs.getDouble(2);
                    double value = rs.wasNull() ? Double.NaN : v;
                    values.put(rs.getString(1), value);
                }
            }
        }
        return values;
    }

    private static void assertSnapshotsMatchTheReferences(Map<String, Double> table)
            throws Exception {
        // 1. The daily feature of every flight (backfill's features.csv) is its origin's snapshot
        // of the departure day: the batch feature and the streaming feature agree. No snapshot
        // row means the origin had no events yet, so the flight's value must be null then.
        List<String> features = Files.readAllLines(shared.resolve("backfill/features.csv"));
        List<String> header = List.of(features.get(0).split(",", -1));
        int depTime = header.indexOf("dep_time");
        int origin = header.indexOf("origin");
        int daily = header.indexOf("origin_delay_mean_30d_daily");
        int checked = 0;
        int withSnapshot = 0;
        for (String line : features.subList(1, features.size())) {
            String[] f = line.split(",", -1);
            String day = f[depTime].substring(0, 10);
            String key = "origin:" + f[origin] + "|" + day + "|origin_delay_mean_30d_daily";
            Double expected = f[daily].isEmpty() ? Double.NaN : Double.valueOf(f[daily]);
            // boxed: Double.equals treats NaN (null) as equal to itself
            assertThat(table.getOrDefault(key, Double.NaN)).as(key).isEqualTo(expected);
            if (table.containsKey(key)) {
                withSnapshot++;
            }
            checked++;
        }
        assertThat(checked).isEqualTo(backfill.size());
        // all flights after the first day have one
        assertThat(withSnapshot).isGreaterThan(backfill.size() / 2);

        // 2. Every snapshot of a few busy entities equals the naive recomputation, day by day.
        List<FlightEvent> events = new ArrayList<>();
        for (FlightRow row : SampleData.rows()) {
            EventExpansion.expand(row, events::add);
        }
        Set<String> entities = Set.of("origin:LAX", "dest:LAX", "route:LAX>LAS");
        long first = LocalDate.parse("2001-01-01").atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        Map<String, Double> expected =
                NaiveSnapshotReference.snapshots(
                        events, first * 1000, (first + 60 * 86_400L) * 1000, entities::contains);
        Map<String, Double> actual = new TreeMap<>();
        table.forEach(
                (k, v) -> {
                    if (entities.contains(k.substring(0, k.indexOf('|')))) {
                        actual.put(k, v);
                    }
                });
        assertThat(expected).hasSizeGreaterThan(40);
        assertThat(actual).isEqualTo(expected);

        // 3. Lookup by day returns the day's values and nothing for a day before the data.
        Map<String, Double> jan2 = new TreeMap<>();
        expected.forEach(
                (k, v) -> {
                    if (k.startsWith("origin:LAX|2001-01-02|")) {
                        jan2.put(k.substring(k.lastIndexOf('|') + 1), v);
                    }
                });
        assertThat(jan2).hasSize(3);
        assertThat(lookUp("origin:LAX", LocalDate.parse("2001-01-02"))).isEqualTo(jan2);
        assertThat(lookUp("origin:LAX", LocalDate.parse("2000-12-31"))).isEmpty();
    }

    @Test
    void aPeriodKeepsOnlyItsFlightsWithFeaturesFromEarlierEvents() throws Exception {
        assertThat(batchPredict("--from", "2001-01-02", "--to", "2001-01-02")).isZero();
        long start = LocalDate.parse("2001-01-02").atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        List<String> expected = new ArrayList<>();
        Map<Long, Long> depSeconds = new TreeMap<>();
        for (var row : SampleData.rows()) {
            depSeconds.put(row.id, row.depTime / 1000);
        }
        for (String line : backfill) {
            long id = Long.parseLong(line.substring(0, line.indexOf(',')));
            long dep = depSeconds.get(id);
            if (dep >= start && dep < start + 86_400) {
                expected.add(line);
            }
        }
        assertThat(expected).isNotEmpty().hasSizeLessThan(backfill.size());
        // Same predictions as the full backfill: the day's features saw the first day's events.
        assertThat(new ArrayList<>(tableRows().values())).containsExactlyElementsOf(expected);
        // Snapshots only for the period's days; the day's values saw the earlier events.
        Map<String, Double> snapshots = snapshotRows();
        assertThat(snapshots).isNotEmpty();
        assertThat(snapshots.keySet()).allMatch(k -> k.contains("|2001-01-02|"));
        List<FlightEvent> events = new ArrayList<>();
        for (FlightRow row : SampleData.rows()) {
            EventExpansion.expand(row, events::add);
        }
        long day = start * 1000;
        assertThat(snapshots)
                .isEqualTo(NaiveSnapshotReference.snapshots(events, day, day, e -> true));
    }

    @Test
    void badOrUnreachableDatabaseFailsNamingTheOption() throws Exception {
        int freePort;
        try (ServerSocket s = new ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        String[][] cases = {
            {"mysql://localhost/db", "--jdbc-url: expected a PostgreSQL URL"},
            {
                "jdbc:postgresql://127.0.0.1:" + freePort + "/parity",
                "--jdbc-url: cannot connect to jdbc:postgresql://127.0.0.1:" + freePort
            }
        };
        for (String[] c : cases) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream previous = System.err;
            int code;
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                code =
                        ParityCli.execute(
                                "batch-predict",
                                "--events",
                                SampleData.path().toString(),
                                "--model",
                                MODEL,
                                "--jdbc-url",
                                c[0]);
            } finally {
                System.setErr(previous);
            }
            assertThat(code).as(c[0]).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains(c[1]);
        }
    }
}
