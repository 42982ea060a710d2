package dev.parity.tests.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.jobs.ParityCli;
import dev.parity.jobs.online.OnlineRequests;
import dev.parity.models.LinearBaseline;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * `parity online` with a real broker and a real PostgreSQL: snapshots written by `batch-predict`, a
 * linear model fitted on exactly the flights spec's online inputs (the backfill's training file
 * restricted to those columns: the least-squares baseline keeps the test fast), requests for sample
 * flights answered once each on the committed response topic with the prediction the model gives
 * the flight's training-file values, the empty-window value for an airport without a snapshot on a
 * covered day, and explicit errors for a day without snapshots and for a malformed request.
 */
class OnlinePredictionITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KafkaAndPostgres services =
            new KafkaAndPostgres("flights.requests", "flights.responses");

    @TempDir Path tmp;

    @Test
    void answersEachRequestOnceFromTheDaysSnapshotAndErrsWithoutOne() throws Exception {
        String url = services.jdbcUrl();
        OnlineFixture fixture = OnlineFixture.prepare(tmp, url);
        Path features = fixture.features;
        String model = fixture.modelDir;
        LinearBaseline.Fit fit = fixture.fit;

        // Requests: every 400th flight after the first day, as its departure event.
        List<String> lines = Files.readAllLines(features);
        List<String> header = List.of(lines.get(0).split(",", -1));
        List<String> columns = fixture.contract.inputColumns();
        Map<Long, Double> expected = new HashMap<>();
        Map<Long, String> expectedDay = new HashMap<>();
        List<byte[]> requests = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            String dep = f[header.indexOf("dep_time")];
            if (i % 400 != 0 || dep.startsWith("2001-01-01")) {
                continue;
            }
            long id = Long.parseLong(f[header.indexOf("id")]);
            requests.add(
                    OnlineRequests.json(
                            id,
                            f[header.indexOf("origin")],
                            f[header.indexOf("dest")],
                            Long.parseLong(f[header.indexOf("distance")]),
                            dep));
            // the linear model on the training file's values (null -> the manifest default)
            double y = fit.bias;
            for (int j = 0; j < columns.size(); j++) {
                String v = f[header.indexOf(columns.get(j))];
                y += fit.weights[j] * (v.isEmpty() ? fit.defaults[j] : Double.parseDouble(v));
            }
            expected.put(id, y);
            expectedDay.put(id, dep.substring(0, 10));
        }
        assertThat(requests).hasSizeGreaterThan(50);
        requests.add(OnlineRequests.json(999_999_001L, "LAX", "SFO", 337, "2000-06-01T12:00:00Z"));
        // the departure of an airport without arrivals in the 30 days: on a covered day, the
        // empty window's value (null, imputed by the model's default), as in a backfill
        requests.add(OnlineRequests.json(999_999_002L, "XYZ", "SFO", 337, "2001-01-02T12:00:00Z"));
        int xyz = columns.indexOf("origin_delay_mean_30d_daily");
        assertThat(xyz).isNotNegative();
        double xyzExpected = fit.bias;
        long[] xyzContext = {337, 12, 2}; // distance, dep_hour, dep_dow (a Tuesday)
        for (int j = 0, c = 0; j < columns.size(); j++) {
            xyzExpected += fit.weights[j] * (j == xyz ? fit.defaults[j] : xyzContext[c++]);
        }
        assertThat(columns)
                .containsExactly("distance", "dep_hour", "dep_dow", "origin_delay_mean_30d_daily");
        requests.add("{not json".getBytes(StandardCharsets.UTF_8));

        services.send("flights.requests", requests);

        assertThat(
                        ParityCli.execute(
                                "online",
                                "--bootstrap-servers",
                                services.kafka().bootstrapServers(),
                                "--model",
                                model,
                                "--jdbc-url",
                                url,
                                "--bounded",
                                "--parallelism",
                                "2",
                                "--checkpoint-interval",
                                "PT1S"))
                .isZero();

        KafkaAndPostgres.Responses responses =
                services.responses("flights.responses", requests.size());
        Map<Long, JsonNode> byId = responses.byId;
        List<JsonNode> withoutId = responses.withoutId;
        for (Map.Entry<Long, Double> e : expected.entrySet()) {
            JsonNode n = byId.get(e.getKey());
            assertThat(n).as("response to %d", e.getKey()).isNotNull();
            assertThat(n.has("error")).as(n.toString()).isFalse();
            assertThat(n.get("model").asText()).isEqualTo("flights-online");
            assertThat(n.get("version").asText()).isEqualTo("1");
            assertThat(n.get("feature_day").asText()).isEqualTo(expectedDay.get(e.getKey()));
            assertThat(n.get("prediction").asDouble())
                    .as(n.toString())
                    .isCloseTo(e.getValue(), org.assertj.core.data.Offset.offset(1e-3));
        }
        JsonNode empty = byId.get(999_999_002L);
        assertThat(empty.has("error")).as(empty.toString()).isFalse();
        assertThat(empty.get("prediction").asDouble())
                .isCloseTo(xyzExpected, org.assertj.core.data.Offset.offset(1e-3));
        JsonNode error = byId.get(999_999_001L);
        assertThat(error.get("error").asText())
                .isEqualTo(
                        "no feature snapshots of spec flights_v1 for 2000-06-01: run"
                                + " batch-predict over that day");
        assertThat(error.get("feature_day").asText()).isEqualTo("2000-06-01");
        assertThat(error.has("prediction")).isFalse();
        assertThat(withoutId).hasSize(1);
        assertThat(withoutId.get(0).get("error").asText()).startsWith("malformed JSON");
    }
}
