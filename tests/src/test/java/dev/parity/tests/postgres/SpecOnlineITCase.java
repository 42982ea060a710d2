package dev.parity.tests.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.reference.SampleData;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.features.spec.FieldType;
import dev.parity.jobs.ParityCli;
import dev.parity.models.ModelManifest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch and online modes of a feature spec that is not flights (the IAM example), against a
 * real PostgreSQL and a real broker, checked against the backfill: a model trained on the spec's
 * online inputs ({@code train --spec --features-set online}) scores the sample in a backfill;
 * {@code batch-predict --spec} writes the same predictions to {@code batch_predictions} and the
 * daily snapshots; {@code online --spec} answers query events sent as JSON, each once, with the
 * prediction the backfill gave the same event (so the online row, served from snapshots, equals the
 * backfill's row in every column the model reads), and errs for a day no snapshot run covered and
 * for bad requests. The full-spec model is refused by the online job before it starts.
 */
class SpecOnlineITCase {
    private static final Path ROOT = SampleData.path().getParent().getParent().getParent();
    private static final Path SPEC = ROOT.resolve("examples/iam-policies/iam-policies.yaml");
    private static final Path EVENTS = ROOT.resolve("examples/iam-policies/sample.csv");
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KafkaAndPostgres services = new KafkaAndPostgres("iam.requests", "iam.responses");

    @TempDir Path tmp;

    @Test
    void batchAndOnlinePredictionsEqualTheBackfills() throws Exception {
        String url = services.jdbcUrl();
        SpecPlan plan = SpecPlan.of(FeatureSpec.load(SPEC));

        // training file, then a model of the spec's online inputs
        Path features = tmp.resolve("backfill/features.csv");
        assertThat(
                        cli(
                                "backfill",
                                "--spec",
                                SPEC,
                                "--events",
                                EVENTS,
                                "--out",
                                tmp.resolve("backfill")))
                .isZero();
        assertThat(
                        cli(
                                "train",
                                "--spec",
                                SPEC,
                                "--features",
                                features,
                                "--features-set",
                                "online",
                                "--out",
                                tmp.resolve("registry"),
                                "--name",
                                "iam-online",
                                "--hidden",
                                "8",
                                "--epochs",
                                "3"))
                .isIn(0, 3); // 3: registered, but not better than the baseline
        Path model = tmp.resolve("registry/iam-online/1");
        ModelManifest m =
                ModelManifest.fromJson(Files.readAllBytes(model.resolve("manifest.json")));
        assertThat(m.inputNames())
                .containsExactlyElementsOf(plan.onlineInputs())
                .contains("policy_versions_365d_daily", "service_narrows_mean_30d_daily")
                .doesNotContain("policy_versions_90d");

        // the reference: the same model on the backfill's rows
        Path scored = tmp.resolve("scored");
        assertThat(
                        cli(
                                "backfill",
                                "--spec",
                                SPEC,
                                "--events",
                                EVENTS,
                                "--out",
                                scored,
                                "--model",
                                model))
                .isZero();
        Map<Long, Float> reference = new HashMap<>();
        for (String line : Files.readAllLines(scored.resolve("predictions.csv")).subList(1, 2483)) {
            String[] f = line.split(",");
            reference.put(Long.parseLong(f[0]), Float.parseFloat(f[3]));
        }
        assertThat(reference).hasSize(2482);

        // batch mode: the same predictions in PostgreSQL, and the snapshots
        assertThat(
                        cli(
                                "batch-predict",
                                "--spec",
                                SPEC,
                                "--events",
                                EVENTS,
                                "--model",
                                model,
                                "--jdbc-url",
                                url))
                .isZero();
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            int rows = 0;
            try (ResultSet rs =
                    s.executeQuery(
                            "SELECT id, prediction FROM batch_predictions WHERE model ="
                                    + " 'iam-online'")) {
                while (rs.next()) {
                    rows++;
                    assertThat(rs.getFloat(2))
                            .as("batch prediction of %d", rs.getLong(1))
                            .isEqualTo(reference.get(rs.getLong(1)));
                }
            }
            assertThat(rows).isEqualTo(2482);
            try (ResultSet rs =
                    s.executeQuery(
                            "SELECT count(DISTINCT feature), count(*) FROM feature_snapshots")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
                assertThat(rs.getInt(2)).isGreaterThan(1000);
            }
        }

        // online mode: every 7th version as a request, the kind member left out
        CsvMapper csv = new CsvMapper();
        List<Map<String, String>> sample = new ArrayList<>();
        csv.readerFor(Map.class)
                .with(CsvSchema.emptySchema().withHeader())
                .<Map<String, String>>readValues(EVENTS.toFile())
                .forEachRemaining(sample::add);
        SpecPlan.Kind kind = plan.queryKind();
        List<byte[]> requests = new ArrayList<>();
        List<Long> asked = new ArrayList<>();
        for (int i = 0; i < sample.size(); i += 7) {
            ObjectNode r = JSON.createObjectNode();
            for (int f = 0; f < kind.size(); f++) {
                String v = sample.get(i).get(kind.field(f));
                if (v.isEmpty()) {
                    r.putNull(kind.field(f));
                } else if (kind.type(f) == FieldType.LONG) {
                    r.put(kind.field(f), Long.parseLong(v));
                } else {
                    r.put(kind.field(f), v);
                }
            }
            requests.add(r.toString().getBytes(StandardCharsets.UTF_8));
            asked.add(Long.parseLong(sample.get(i).get("id")));
        }
        ObjectNode uncovered = JSON.createObjectNode();
        uncovered.put("id", 999_999_001L);
        uncovered.put("ts", "2001-01-01T00:00:00Z");
        uncovered.put("policy", "ReadOnlyAccess");
        uncovered.put("path", "/");
        uncovered.put("version", 1);
        requests.add(uncovered.toString().getBytes(StandardCharsets.UTF_8));
        requests.add("{\"id\": 999999002, \"ts\": \"yesterday\"}".getBytes(StandardCharsets.UTF_8));
        requests.add("{not json".getBytes(StandardCharsets.UTF_8));
        services.send("iam.requests", requests);

        String[] online = {
            "online",
            "--spec",
            SPEC.toString(),
            "--bootstrap-servers",
            services.kafka().bootstrapServers(),
            "--requests-topic",
            "iam.requests",
            "--responses-topic",
            "iam.responses",
            "--jdbc-url",
            url,
            "--bounded",
            "--parallelism",
            "2",
            "--checkpoint-interval",
            "PT1S",
            "--model"
        };
        // the full-spec model cannot be served from snapshots: refused before any job starts
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int refused;
        try {
            refused = ParityCli.execute(args(online, fullModel(features)));
        } finally {
            System.setErr(err);
        }
        assertThat(refused).isEqualTo(2);
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .contains("reads policy_versions_90d, policy_actions_last_365d")
                .contains("--features-set online")
                .hasLineCount(1);

        assertThat(ParityCli.execute(args(online, model.toString()))).isZero();
        KafkaAndPostgres.Responses responses = services.responses("iam.responses", requests.size());
        Map<Long, JsonNode> byId = responses.byId;
        List<JsonNode> withoutId = responses.withoutId;
        for (long id : asked) {
            JsonNode n = byId.get(id);
            assertThat(n).as("response to %d", id).isNotNull();
            assertThat(n.has("error")).as(n.toString()).isFalse();
            assertThat(n.get("model").asText()).isEqualTo("iam-online");
            assertThat((float) n.get("prediction").asDouble())
                    .as("online prediction of %d: %s", id, n)
                    .isCloseTo(reference.get(id), org.assertj.core.data.Offset.offset(1e-5f));
        }
        assertThat(byId.get(999_999_001L).get("error").asText())
                .isEqualTo(
                        "no feature snapshots of spec iam_policies_v1 for 2001-01-01: run"
                                + " batch-predict over that day");
        assertThat(withoutId).hasSize(2);
        assertThat(withoutId.toString()).contains("member 'ts'").contains("malformed JSON");

        // a file without events: nothing to score, no days recorded as covered
        Path empty = tmp.resolve("empty.csv");
        Files.writeString(empty, Files.readAllLines(EVENTS).get(0) + "\n");
        assertThat(
                        cli(
                                "batch-predict",
                                "--spec",
                                SPEC,
                                "--events",
                                empty,
                                "--model",
                                model,
                                "--jdbc-url",
                                url))
                .isZero();
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM snapshot_days")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    /** A model of the full spec (every numeric column), for the refusal. */
    private String fullModel(Path features) throws Exception {
        assertThat(
                        cli(
                                "train",
                                "--spec",
                                SPEC,
                                "--features",
                                features,
                                "--out",
                                tmp.resolve("registry"),
                                "--name",
                                "iam-full",
                                "--hidden",
                                "4",
                                "--epochs",
                                "1"))
                .isIn(0, 3);
        return tmp.resolve("registry/iam-full/1").toString();
    }

    private static String[] args(String[] head, String last) {
        String[] all = java.util.Arrays.copyOf(head, head.length + 1);
        all[head.length] = last;
        return all;
    }

    /** The CLI; the jobs without progress output, which train does not print. */
    private static int cli(Object... args) {
        boolean job = !args[0].equals("train");
        String[] a = new String[args.length + (job ? 2 : 0)];
        for (int i = 0; i < args.length; i++) {
            a[i] = args[i].toString();
        }
        if (job) {
            a[args.length] = "--progress-interval";
            a[args.length + 1] = "PT0S";
        }
        return ParityCli.execute(a);
    }
}
