package dev.parity.tests.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.FlightFeatures;
import dev.parity.jobs.ParityCli;
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
 * linear model fitted on exactly the online feature set (the backfill's training file restricted to
 * those columns: the least-squares baseline keeps the test fast), requests for sample flights
 * answered once each on the committed response topic with the prediction the model gives the
 * flight's training-file values, and explicit errors for a day without a snapshot and for a
 * malformed request.
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
        FeatureSet online = FlightFeatures.online();
        Path features = fixture.features;
        String model = fixture.modelDir;
        LinearBaseline.Fit fit = fixture.fit;

        // Requests: every 400th flight after the first day, with its id as request_id.
        List<String> lines = Files.readAllLines(features);
        List<String> header = List.of(lines.get(0).split(",", -1));
        List<String> columns = online.inputColumns();
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
            ObjectNode r = JSON.createObjectNode();
            r.put("request_id", id);
            r.put("origin", f[header.indexOf("origin")]);
            r.put("dest", f[header.indexOf("dest")]);
            r.put("distance", Long.parseLong(f[header.indexOf("distance")]));
            r.put("dep_time", dep);
            requests.add(r.toString().getBytes(StandardCharsets.UTF_8));
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
        ObjectNode noSnapshot = JSON.createObjectNode();
        noSnapshot.put("request_id", 999_999_001L);
        noSnapshot.put("origin", "LAX");
        noSnapshot.put("dest", "SFO");
        noSnapshot.put("distance", 337);
        noSnapshot.put("dep_time", "2000-06-01T12:00:00Z");
        requests.add(noSnapshot.toString().getBytes(StandardCharsets.UTF_8));
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
        JsonNode error = byId.get(999_999_001L);
        assertThat(error.get("error").asText())
                .isEqualTo(
                        "no feature snapshot of origin_delay_mean_30d_daily for origin:LAX on"
                                + " 2000-06-01");
        assertThat(error.get("feature_day").asText()).isEqualTo("2000-06-01");
        assertThat(error.has("prediction")).isFalse();
        assertThat(withoutId).hasSize(1);
        assertThat(withoutId.get(0).get("error").asText()).startsWith("malformed JSON");
    }
}
