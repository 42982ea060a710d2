package dev.parity.features.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parity.features.spec.FieldType;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;

/**
 * A spec's events on Kafka: one JSON object per event, members named as the kind's fields, and a
 * {@code kind} member (optional when the spec has one kind; a spec may name it otherwise, see
 * {@link dev.parity.features.spec.JsonMembers}). Timestamps are written as ISO-8601 and read as
 * ISO-8601 or epoch milliseconds. Every value goes through the same check as the file readers
 * ({@link FieldValues}), so what a file rejects, Kafka rejects too, with the same reason.
 *
 * <pre>
 * {"kind":"payment","id":7,"ts":"2026-01-01T10:00:00Z","card":"c1","amount":12.5}
 * </pre>
 *
 * Decoding never throws on bad data: the result names the member and the problem, for the
 * dead-letter topic. An unknown member is an error (a misspelt field would otherwise be null).
 */
public final class EventJson implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SpecPlan plan;
    private final String kindMember;
    private transient RowDecoder[] decoders;

    public EventJson(SpecPlan plan) {
        this.plan = plan;
        this.kindMember = plan.spec().json().kind();
    }

    private RowDecoder decoder(SpecPlan.Kind kind) {
        if (decoders == null) {
            decoders = new RowDecoder[plan.kinds().size()];
        }
        if (decoders[kind.index()] == null) {
            decoders[kind.index()] = RowDecoder.forKind(plan, kind.name());
        }
        return decoders[kind.index()];
    }

    public byte[] encode(EventRow e) {
        SpecPlan.Kind k = plan.kind(e.kind);
        ObjectNode n = JSON.createObjectNode();
        n.put(kindMember, k.name());
        for (int i = 0; i < k.size(); i++) {
            Object v = e.values[i];
            String f = k.field(i);
            if (v == null) {
                n.putNull(f);
            } else if (k.type(i) == FieldType.TIMESTAMP) {
                n.put(f, Instant.ofEpochMilli((Long) v).toString());
            } else if (v instanceof String) {
                n.put(f, (String) v);
            } else if (v instanceof Long) {
                n.put(f, (Long) v);
            } else if (v instanceof Double) {
                n.put(f, (Double) v);
            } else {
                n.put(f, (Boolean) v);
            }
        }
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The event in {@code bytes}, or why it is not one ({@code source} names the topic). */
    public DecodedRow decode(String source, long offset, byte[] bytes) {
        return decode(source, offset, bytes, null);
    }

    /**
     * As {@link #decode(String, long, byte[])}, an event without a {@code kind} member being of
     * {@code defaultKind} (when not null), however many kinds the spec has.
     */
    public DecodedRow decode(String source, long offset, byte[] bytes, SpecPlan.Kind defaultKind) {
        String raw = bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
        JsonNode n;
        try {
            n = bytes == null ? null : JSON.readTree(bytes);
        } catch (IOException e) {
            return DecodedRow.rejected(
                    source,
                    offset,
                    "malformed JSON: " + e.getMessage().lines().findFirst().orElse(""),
                    raw);
        }
        if (n == null || !n.isObject()) {
            return DecodedRow.rejected(source, offset, "malformed JSON: not an object", raw);
        }
        SpecPlan.Kind kind;
        JsonNode kindNode = n.get(kindMember);
        if ((kindNode == null || kindNode.isNull()) && defaultKind != null) {
            kind = defaultKind;
        } else if (kindNode == null || kindNode.isNull()) {
            if (plan.kinds().size() != 1) {
                return DecodedRow.rejected(
                        source,
                        offset,
                        "missing member '" + kindMember + "' (the event kind)",
                        raw);
            }
            kind = plan.kind(0);
        } else {
            try {
                kind = plan.kind(kindNode.asText());
            } catch (IllegalArgumentException e) {
                return DecodedRow.rejected(
                        source,
                        offset,
                        "member '" + kindMember + "': " + shortened(e.getMessage()),
                        raw);
            }
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals(kindMember) && kind.fieldIndex(f) < 0) {
                return DecodedRow.rejected(
                        source,
                        offset,
                        "unknown member '" + shortened(f) + "' for a " + kind.name() + " event",
                        raw);
            }
        }
        Object[] values = new Object[kind.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = n.get(kind.field(i));
            try {
                values[i] = FieldValues.check(kind.type(i), javaValue(v));
            } catch (IllegalArgumentException e) {
                return DecodedRow.rejected(
                        source, offset, "member '" + kind.field(i) + "': " + e.getMessage(), raw);
            }
        }
        try {
            return DecodedRow.ok(source, offset, decoder(kind).decode(values));
        } catch (IllegalArgumentException e) {
            return DecodedRow.rejected(source, offset, e.getMessage(), raw);
        }
    }

    private static Object javaValue(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isIntegralNumber()) {
            if (!v.canConvertToLong()) {
                return v.asText(); // out of range: a string, which the check rejects
            }
            return v.longValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        return v.toString();
    }

    /** Input quoted in a reason: at most 200 characters (a member name may be megabytes). */
    private static String shortened(String s) {
        return Csv.shortened(s, 200);
    }
}
