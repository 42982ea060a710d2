package dev.parity.jobs.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parity.features.api.EventType;
import dev.parity.features.events.FlightEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * The JSON form of {@code flights.events} (examples/flights/README.md):
 *
 * <pre>
 * {"type":"departure","id":0,"time":"2001-01-01T00:01:00Z","origin":"LAS","dest":"PHL","distance":2176}
 * {"type":"arrival","id":0,"time":"2001-01-01T05:36:00Z","origin":"LAS","dest":"PHL","delay":33}
 * </pre>
 *
 * Decoding never throws on bad data: it returns the reason, naming the field, for the dead-letter
 * topic.
 */
public final class FlightEventJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FlightEventJson() {}

    public static byte[] encode(FlightEvent e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", e.type == EventType.DEPARTURE ? "departure" : "arrival");
        n.put("id", e.id);
        n.put("time", Instant.ofEpochMilli(e.time).toString());
        n.put("origin", e.origin);
        n.put("dest", e.dest);
        if (e.type == EventType.DEPARTURE) {
            n.put("distance", e.distance);
        } else {
            n.put("delay", e.delay);
        }
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A decoded event, or why the bytes are not one. */
    public static final class Decoded {
        public final FlightEvent event;
        public final String error;

        private Decoded(FlightEvent event, String error) {
            this.event = event;
            this.error = error;
        }
    }

    public static Decoded decode(byte[] bytes) {
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (IOException e) {
            return new Decoded(
                    null, "malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (n == null || !n.isObject()) {
            return new Decoded(null, "malformed JSON: not an object");
        }
        String type = text(n, "type");
        if (type == null) {
            return new Decoded(null, "missing field 'type'");
        }
        if (!type.equals("departure") && !type.equals("arrival")) {
            return new Decoded(null, "unknown event type '" + type + "'");
        }
        for (String f : new String[] {"id", "time", "origin", "dest"}) {
            if (!n.hasNonNull(f)) {
                return new Decoded(null, "missing field '" + f + "'");
            }
        }
        String numeric = type.equals("departure") ? "distance" : "delay";
        if (!n.hasNonNull(numeric)) {
            return new Decoded(null, "missing field '" + numeric + "'");
        }
        if (!n.get("id").canConvertToLong() || n.get("id").asLong() < 0) {
            return new Decoded(null, "field 'id' must be a non-negative integer");
        }
        if (!n.get(numeric).canConvertToLong() || !n.get(numeric).isIntegralNumber()) {
            return new Decoded(null, "field '" + numeric + "' must be an integer");
        }
        long time;
        try {
            time = Instant.parse(n.get("time").asText()).toEpochMilli();
        } catch (DateTimeException | ArithmeticException e) {
            return new Decoded(
                    null,
                    "field 'time' is not an ISO-8601 instant: '" + n.get("time").asText() + "'");
        }
        String origin = n.get("origin").asText();
        String dest = n.get("dest").asText();
        if (origin.isBlank() || dest.isBlank()) {
            return new Decoded(null, "fields 'origin' and 'dest' must not be empty");
        }
        long id = n.get("id").asLong();
        long value = n.get(numeric).asLong();
        if (type.equals("departure")) {
            if (value < 0) {
                return new Decoded(null, "field 'distance' must not be negative, got " + value);
            }
            return new Decoded(FlightEvent.departure(id, time, origin, dest, value), null);
        }
        return new Decoded(FlightEvent.arrival(id, time, origin, dest, value), null);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
