package dev.parity.tests.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.jobs.ParityCli;
import dev.parity.jobs.batch.JdbcTarget;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `parity batch-cost` against a real PostgreSQL: the never-used share of each model version's batch
 * predictions from a request log with repeated requests, requests for flights without a prediction,
 * and a malformed line.
 *
 * <p>Table: model {@code m} version 1 has flights 0..999, version 2 flights 0..499, model {@code
 * other} version 1 flights 0..9. The log asks for flights 0..199 (each twice), 5000..5009 (no
 * prediction anywhere) and has one line with a bad id.
 */
class BatchCostITCase {
    private static EmbeddedPostgres postgres;
    private static String url;

    @TempDir static Path dir;
    private static Path log;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        url = postgres.getJdbcUrl("postgres", "postgres");
        JdbcTarget.of(url, null, null).prepareTables(); // the real schema
        try (Connection c = postgres.getPostgresDatabase().getConnection()) {
            insert(c, "m", "1", 1000);
            insert(c, "m", "2", 500);
            insert(c, "other", "1", 10);
        }
        List<String> lines = new ArrayList<>();
        lines.add("request_id,id,asked_at");
        for (int round = 0; round < 2; round++) {
            for (int id = 0; id < 200; id++) {
                lines.add("r" + round + "-" + id + "," + id + ",2001-06-01T10:00:00Z");
            }
        }
        for (int id = 5000; id < 5010; id++) {
            lines.add("x" + id + "," + id + ",2001-06-01T10:00:00Z");
        }
        lines.add("bad,12x,2001-06-01T10:00:00Z");
        lines.add("");
        log = dir.resolve("requests.csv");
        Files.write(log, lines);
    }

    private static void insert(Connection c, String model, String version, int flights)
            throws Exception {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO batch_predictions VALUES (?, ?, ?, ?, now())")) {
            for (int id = 0; id < flights; id++) {
                ps.setLong(1, id);
                ps.setString(2, model);
                ps.setString(3, version);
                ps.setFloat(4, id * 0.5f);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static String[] run(int expectedExit, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = ParityCli.execute(args);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String[] text = {
            out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)
        };
        assertThat(code)
                .as("exit code; stdout:%n%s%nstderr:%n%s", text[0], text[1])
                .isEqualTo(expectedExit);
        return text;
    }

    @Test
    void reportsTheNeverUsedShareOfEveryModelVersion() {
        String out = run(4, "batch-cost", "--requests", log.toString(), "--jdbc-url", url)[0];
        assertThat(out)
                .contains("410 requests for 210 distinct ids")
                .contains("(1 lines rejected)")
                .contains("requests.csv:412: id '12x' is not an integer");
        // model/version, predictions, used, never used, share, requests hit, no prediction
        assertThat(out).containsPattern("m/1 +1,000 +200 +800 +80\\.00% +400 +10\\n");
        assertThat(out).containsPattern("m/2 +500 +200 +300 +60\\.00% +400 +10\\n");
        assertThat(out).containsPattern("other/1 +10 +10 +0 +0\\.00% +20 +200\\n");
        assertThat(out).contains("batch_predictions holds 1,510 rows").contains("1,100 never-used");
    }

    @Test
    void filtersByModelAndVersion() throws Exception {
        Path clean = dir.resolve("clean.csv");
        Files.write(clean, List.of("id", "1", "2", "2", "999"));
        String out =
                run(
                        0,
                        "batch-cost",
                        "--requests",
                        clean.toString(),
                        "--jdbc-url",
                        url,
                        "--model-name",
                        "m",
                        "--model-version",
                        "2")[0];
        assertThat(out).containsPattern("m/2 +500 +2 +498 +99\\.60% +3 +1\\n");
        assertThat(out).doesNotContain("m/1").doesNotContain("other/1");
    }

    @Test
    void readsQuotedFieldsAByteOrderMarkAndWindowsLineEnds() throws Exception {
        Path quoted = dir.resolve("quoted.csv");
        String text =
                "\uFEFFasked_by,\"id\",note\r\n"
                        + "\"Smith, J\",7,\"said \"\"hi\"\", twice\"\r\n"
                        + "\"Doe, A\",8,\r\n"
                        + "\r\n"
                        + "\"Roe, B\",x9,\r\n";
        Files.write(quoted, text.getBytes(StandardCharsets.UTF_8));
        String out =
                run(
                        4,
                        "batch-cost",
                        "--requests",
                        quoted.toString(),
                        "--jdbc-url",
                        url,
                        "--model-name",
                        "other")[0];
        assertThat(out)
                .contains("2 requests for 2 distinct ids")
                .contains("quoted.csv:5: id 'x9' is not an integer");
        assertThat(out).containsPattern("other/1 +10 +2 +8 +80\\.00% +2 +0\\n");
    }

    @Test
    void namesWhatIsWrongWithTheInput() throws Exception {
        Path noId = dir.resolve("no-id.csv");
        Files.write(noId, List.of("flight,asked_at", "1,x"));
        assertThat(run(2, "batch-cost", "--requests", noId.toString(), "--jdbc-url", url)[1])
                .contains("no-id.csv:1: the header has no 'id' column");
        assertThat(
                        run(
                                2,
                                "batch-cost",
                                "--requests",
                                log.toString(),
                                "--jdbc-url",
                                url,
                                "--model-name",
                                "missing")[1])
                .contains("no batch predictions of model missing");
        assertThat(
                        run(
                                2,
                                "batch-cost",
                                "--requests",
                                dir.resolve("absent.csv").toString(),
                                "--jdbc-url",
                                url)[1])
                .contains("--requests: cannot read");
        assertThat(
                        run(
                                2,
                                "batch-cost",
                                "--requests",
                                log.toString(),
                                "--jdbc-url",
                                url,
                                "--model-version",
                                "1")[1])
                .contains("--model-version needs --model-name");

        Path headerOnly = dir.resolve("header-only.csv");
        Files.write(headerOnly, List.of("id,asked_at", "abc,x"));
        assertThat(run(2, "batch-cost", "--requests", headerOnly.toString(), "--jdbc-url", url)[1])
                .contains("--requests: " + headerOnly + " has no valid request (1 rejected")
                .contains("header-only.csv:2: id 'abc' is not an integer");

        Path unclosed = dir.resolve("unclosed.csv");
        Files.write(unclosed, List.of("id,note", "1,fine", "2,\"never closed"));
        assertThat(run(2, "batch-cost", "--requests", unclosed.toString(), "--jdbc-url", url)[1])
                .containsPattern("unclosed\\.csv:\\d+: not readable as CSV");

        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE empty");
        }
        String empty = postgres.getJdbcUrl("postgres", "empty");
        assertThat(run(2, "batch-cost", "--requests", log.toString(), "--jdbc-url", empty)[1])
                .contains("has no batch_predictions table; run `parity batch-predict` first");
    }
}
