package dev.parity.features.spec;

import java.io.Serializable;

/**
 * The member names of a spec's JSON on Kafka that are not field names: the member naming an event's
 * kind and the prediction records' query-time member. They belong to a topic's wire format, not to
 * the features, so they are not part of the {@link FeatureSpec#fingerprint() fingerprint}: renaming
 * a member changes neither keyed state nor a model's input.
 *
 * <pre>
 * json:
 *   kind: type                # {"type":"departure", ...} instead of {"kind":"departure", ...}
 *   prediction_time: dep_time # {"id":0,"dep_time":"...","model":...} instead of "time"
 * </pre>
 */
public final class JsonMembers implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Without a {@code json} section: {@code kind} and {@code time}. */
    public static final JsonMembers DEFAULT = new JsonMembers("kind", "time");

    private final String kind;
    private final String predictionTime;

    JsonMembers(String kind, String predictionTime) {
        this.kind = kind;
        this.predictionTime = predictionTime;
    }

    /** The member naming an event's kind, e.g. {@code kind}. */
    public String kind() {
        return kind;
    }

    /** The member of a prediction record holding its query event's time, e.g. {@code time}. */
    public String predictionTime() {
        return predictionTime;
    }

    @Override
    public String toString() {
        return "json{kind: " + kind + ", prediction_time: " + predictionTime + "}";
    }

    /** The {@code json} section as written; unset members keep {@link #DEFAULT}'s names. */
    public static final class Builder {
        String kind;
        String predictionTime;

        Builder() {}

        /** The member naming an event's kind. */
        public Builder kind(String member) {
            this.kind = member;
            return this;
        }

        /** The prediction records' query-time member. */
        public Builder predictionTime(String member) {
            this.predictionTime = member;
            return this;
        }
    }
}
