package dev.parity.jobs.online;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parity.features.api.FeatureDefinition;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.WindowSpec;
import dev.parity.features.core.FeatureVector;
import dev.parity.jobs.batch.JdbcTarget;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns a request {@code {request_id, origin, dest, distance, dep_time}} into the feature vector of
 * the online set: context from the request, window features from {@code feature_snapshots} for the
 * request's UTC day. A request that cannot be answered (bad JSON, missing field, no snapshot for
 * that day) becomes an error response on {@link #ERRORS}, never a guess.
 */
final class OnlineLookup extends ProcessFunction<byte[], FeatureVector> {
    private static final long serialVersionUID = 1L;
    static final OutputTag<byte[]> ERRORS = new OutputTag<>("online-errors") {};
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FeatureSet set;
    private final JdbcTarget db;
    private transient Connection connection;
    private transient PreparedStatement query;

    OnlineLookup(FeatureSet set, JdbcTarget db) {
        this.set = set;
        this.db = db;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        connection = db.connect();
        query =
                connection.prepareStatement(
                        "SELECT feature, value FROM feature_snapshots WHERE entity = ? AND day = ?");
    }

    @Override
    public void close() throws Exception {
        if (query != null) {
            query.close();
        }
        if (connection != null) {
            connection.close();
        }
    }

    @Override
    public void processElement(byte[] raw, Context ctx, Collector<FeatureVector> out)
            throws Exception {
        JsonNode request;
        try {
            request = JSON.readTree(raw);
        } catch (Exception e) {
            ctx.output(ERRORS, error(null, null, "malformed JSON: " + e.getMessage()));
            return;
        }
        JsonNode id = request == null ? null : request.get("request_id");
        if (id == null || !id.canConvertToLong()) {
            ctx.output(ERRORS, error(null, null, "request_id (an integer) is required"));
            return;
        }
        long requestId = id.asLong();
        long depTime;
        String origin;
        String dest;
        long distance;
        try {
            depTime = Instant.parse(request.path("dep_time").asText()).toEpochMilli();
            origin = text(request, "origin");
            dest = text(request, "dest");
            if (!request.path("distance").canConvertToLong()) {
                throw new IllegalArgumentException("distance (an integer) is required");
            }
            distance = request.get("distance").asLong();
        } catch (Exception e) {
            ctx.output(ERRORS, error(requestId, null, "bad request: " + e.getMessage()));
            return;
        }
        LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(WindowSpec.dayOf(depTime), 86_400_000L));

        List<FeatureDefinition> features = set.windowFeatures();
        double[] values = new double[features.size()];
        Arrays.fill(values, Double.NaN);
        Map<String, Map<String, Double>> snapshots = new HashMap<>();
        for (int j = 0; j < features.size(); j++) {
            FeatureDefinition f = features.get(j);
            String entity =
                    f.key().name().toLowerCase(Locale.ROOT) + ":" + f.key().keyOf(origin, dest);
            Map<String, Double> snapshot = snapshots.get(entity);
            if (snapshot == null) {
                snapshot = lookUp(entity, day);
                snapshots.put(entity, snapshot);
            }
            if (!snapshot.containsKey(f.name())) {
                ctx.output(
                        ERRORS,
                        error(
                                requestId,
                                day,
                                "no feature snapshot of "
                                        + f.name()
                                        + " for "
                                        + entity
                                        + " on "
                                        + day));
                return;
            }
            values[j] = snapshot.get(f.name());
        }
        FeatureVector v = new FeatureVector();
        v.id = requestId;
        v.setContext(depTime, origin, dest, distance);
        v.values = values;
        out.collect(v);
    }

    private Map<String, Double> lookUp(String entity, LocalDate day) throws Exception {
        Map<String, Double> values = new HashMap<>();
        query.setString(1, entity);
        query.setObject(2, day);
        try (ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                double v = rs.getDouble(2);
                values.put(rs.getString(1), rs.wasNull() ? Double.NaN : v);
            }
        }
        return values;
    }

    private static String text(JsonNode request, String field) {
        JsonNode n = request.get(field);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new IllegalArgumentException(field + " (a string) is required");
        }
        return n.asText();
    }

    /** {@code {request_id, feature_day, error}}. */
    static byte[] error(Long requestId, LocalDate day, String reason) {
        ObjectNode n = JSON.createObjectNode();
        if (requestId == null) {
            n.putNull("request_id");
        } else {
            n.put("request_id", requestId);
        }
        if (day == null) {
            n.putNull("feature_day");
        } else {
            n.put("feature_day", day.toString());
        }
        n.put("error", reason);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }
}
