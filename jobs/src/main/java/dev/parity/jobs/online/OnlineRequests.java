package dev.parity.jobs.online;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** Writes flights requests in the format the online job reads from {@code flights.requests}. */
public final class OnlineRequests {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OnlineRequests() {}

    /**
     * A departure of the flights spec, {@code {"id", "time", "origin", "dest", "distance"}}, as
     * UTF-8 JSON; {@code time} is ISO-8601 UTC, e.g. {@code 2001-01-02T10:00:00Z}. The response's
     * {@code request_id} is {@code id}.
     */
    public static byte[] json(long id, String origin, String dest, long distance, String time) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", id);
        r.put("time", time);
        r.put("origin", origin);
        r.put("dest", dest);
        r.put("distance", distance);
        return r.toString().getBytes(StandardCharsets.UTF_8);
    }
}
