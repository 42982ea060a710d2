package dev.parity.jobs.online;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** Writes requests in the format the online job reads from {@code flights.requests}. */
public final class OnlineRequests {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OnlineRequests() {}

    /**
     * {@code {"request_id", "origin", "dest", "distance", "dep_time"}} as UTF-8 JSON; {@code
     * depTime} is ISO-8601 UTC, e.g. {@code 2001-01-02T10:00:00Z}.
     */
    public static byte[] json(
            long requestId, String origin, String dest, long distance, String depTime) {
        ObjectNode r = JSON.createObjectNode();
        r.put("request_id", requestId);
        r.put("origin", origin);
        r.put("dest", dest);
        r.put("distance", distance);
        r.put("dep_time", depTime);
        return r.toString().getBytes(StandardCharsets.UTF_8);
    }
}
