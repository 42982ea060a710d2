package dev.parity.tests.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.reference.SampleData;
import dev.parity.jobs.ParityCli;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
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
 * backfill's predictions.csv for the same model, a re-run leaves the same rows, a period keeps only
 * its flights, and a bad or unreachable database fails before the job, naming the option.
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
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT id, model, version, prediction FROM batch_predictions")) {
            while (rs.next()) {
                long id = rs.getLong(1);
                String previous =
                        rows.put(
                                id,
                                id
                                        + ","
                                        + rs.getString(2)
                                        + ","
                                        + rs.getString(3)
                                        + ","
                                        + Float.toString(rs.getFloat(4)));
                assertThat(previous).as("duplicate id %d", id).isNull();
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

        assertThat(batchPredict("--parallelism", "1")).isZero();
        Map<Long, String> second = tableRows();
        assertThat(second).isEqualTo(first);
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
