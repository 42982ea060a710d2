package dev.parity.tests.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.engine.SpecPlan;
import dev.parity.features.reference.FlightRow;
import dev.parity.features.reference.SampleData;
import dev.parity.features.spec.BundledSpec;
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
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `parity batch-predict` against a real PostgreSQL (embedded, started here): the rows equal the
 * backfill's predictions.csv for the same model, the daily snapshots (of the flights spec's daily
 * feature) equal the backfill's column and a naive recomputation, a re-run leaves the same rows, a
 * period keeps only its flights and days, and a bad or unreachable database fails before the job,
 * naming the option.
 */
class BatchPredictionITCase {
    private static final Path ROOT = SampleData.path().getParent().getParent().getParent();
    private static final String MODEL = ROOT.resolve("models/bundled/flights-linear/1").toString();
    private static EmbeddedPostgres postgres;
    private static List<String> backfill;
    private static final SpecPlan FLIGHTS = SpecPlan.of(BundledSpec.flights());
    private static final List<FlightRow> ROWS = SampleData.rows();

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
            s.execute("DROP TABLE IF EXISTS batch_predictions, feature_snapshots, snapshot_days");
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

        Map<String, String> snapshots = snapshotRows();
        assertSnapshotsMatchTheReferences(snapshots);

        assertThat(batchPredict("--parallelism", "1")).isZero();
        Map<Long, String> second = tableRows();
        assertThat(second).isEqualTo(first);
        assertThat(snapshotRows()).isEqualTo(snapshots);
    }

    /** "entity|yyyy-mm-dd|feature" -> value text ("" for null), the whole snapshot table. */
    private static Map<String, String> snapshotRows() throws Exception {
        Map<String, String> rows = new TreeMap<>();
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT entity, day, feature, value FROM feature_snapshots"
                                        + " WHERE spec_fingerprint = ?")) {
            ps.setString(1, FLIGHTS.fingerprint());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String value = rs.getString(4);
                    rows.put(
                            rs.getString(1)
                                    + "|"
                                    + rs.getDate(2).toLocalDate()
                                    + "|"
                                    + rs.getString(3),
                            value == null ? "" : value);
                }
            }
        }
        return rows;
    }

    /** One day's snapshot of one entity, looked up the way the online job does. */
    private static Map<String, String> lookUp(String entity, LocalDate day) throws Exception {
        Map<String, String> values = new TreeMap<>();
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT feature, value FROM feature_snapshots"
                                        + " WHERE spec_fingerprint = ? AND entity = ? AND day = ?")) {
            ps.setString(1, FLIGHTS.fingerprint());
            ps.setString(2, entity);
            ps.setObject(3, day);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return values;
    }

    /**
     * The naive reference of {@code origin_delay_mean_30d_daily} at the midnight {@code day}: the
     * mean delay of the arrivals (at {@code date + max(1, 30 + distance / 8 + delay)} minutes) of
     * flights from {@code origin} in {@code [day - 30 d, day)}, or null without one.
     */
    private static String naiveDaily(String origin, long day) {
        long sum = 0;
        long count = 0;
        for (FlightRow r : ROWS) {
            long arrival = r.depTime + Math.max(1, 30 + r.distance / 8 + r.delay) * 60_000L;
            if (r.origin.equals(origin) && arrival >= day - 30 * 86_400_000L && arrival < day) {
                sum += r.delay;
                count++;
            }
        }
        return count == 0 ? null : Double.toString((double) sum / count);
    }

    private static void assertSnapshotsMatchTheReferences(Map<String, String> table)
            throws Exception {
        // The flights spec's one daily feature is all that is snapshotted.
        assertThat(table.keySet()).allMatch(k -> k.endsWith("|origin_delay_mean_30d_daily"));
        // 1. The daily feature of every flight (backfill's features.csv) is its origin's snapshot
        // of the departure day: the batch feature and the streaming feature agree. No snapshot
        // row means the origin had no arrivals in the window, so the flight's value is null.
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
            String key = "[\"" + f[origin] + "\"]|" + day + "|origin_delay_mean_30d_daily";
            assertThat(table.getOrDefault(key, "")).as(key).isEqualTo(f[daily]);
            if (table.containsKey(key)) {
                withSnapshot++;
            }
            checked++;
        }
        assertThat(checked).isEqualTo(backfill.size());
        // all flights after the first day have one
        assertThat(withSnapshot).isGreaterThan(backfill.size() / 2);

        // 2. Every day's snapshot of a few busy airports equals the naive recomputation.
        long first = LocalDate.parse("2001-01-01").atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        int compared = 0;
        for (String airport : List.of("LAX", "ORD", "ATL")) {
            for (int d = 0; d < 60; d++) {
                long day = (first + d * 86_400L) * 1000;
                String key =
                        "[\""
                                + airport
                                + "\"]|"
                                + LocalDate.ofEpochDay(day / 86_400_000L)
                                + "|origin_delay_mean_30d_daily";
                String expected = naiveDaily(airport, day);
                if (table.containsKey(key) || expected != null) {
                    assertThat(table.get(key)).as(key).isEqualTo(expected == null ? "" : expected);
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(10);

        // 3. Lookup by day returns the day's value and nothing for a day before the data.
        long jan2 = (first + 86_400L) * 1000;
        assertThat(lookUp("[\"LAX\"]", LocalDate.parse("2001-01-02")))
                .containsExactly(Map.entry("origin_delay_mean_30d_daily", naiveDaily("LAX", jan2)));
        assertThat(lookUp("[\"LAX\"]", LocalDate.parse("2000-12-31"))).isEmpty();
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
        Map<String, String> snapshots = snapshotRows();
        assertThat(snapshots).isNotEmpty();
        assertThat(snapshots.keySet()).allMatch(k -> k.contains("|2001-01-02|"));
        long day = start * 1000;
        snapshots.forEach(
                (k, v) -> {
                    String airport = k.substring(2, k.indexOf('"', 2));
                    String expectedValue = naiveDaily(airport, day);
                    assertThat(v).as(k).isEqualTo(expectedValue == null ? "" : expectedValue);
                });
        long airports =
                ROWS.stream()
                        .map(r -> r.origin)
                        .distinct()
                        .filter(a -> naiveDaily(a, day) != null)
                        .count();
        assertThat(snapshots).hasSize((int) airports);
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

    @Test
    void aSnapshotTableOfTheEarlierLayoutIsRefusedNotMisread() throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute(
                    "CREATE TABLE feature_snapshots (entity TEXT, day DATE, feature TEXT, value"
                            + " DOUBLE PRECISION, PRIMARY KEY (entity, day, feature))");
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream previous = System.err;
        int code;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = batchPredict();
        } finally {
            System.setErr(previous);
        }
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("has a feature_snapshots table of an earlier Parity")
                .contains("DROP TABLE feature_snapshots")
                .doesNotContain("\tat ");
        // refused before any table is created or any job runs
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT count(*) FROM information_schema.tables"
                                        + " WHERE table_name = 'batch_predictions'")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }
}
