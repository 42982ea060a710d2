package dev.parity.features.api;

import java.io.Serializable;
import java.util.regex.Pattern;

/**
 * One window feature, declared once as data and run identically by the batch and the streaming
 * engine.
 *
 * <pre>{@code
 * FeatureDefinition f = FeatureDefinition.builder()
 *         .name("origin_delay_mean_6h")
 *         .key(KeySpec.ORIGIN)
 *         .events(EventType.ARRIVAL)
 *         .window(WindowSpec.sliding(Duration.ofHours(6)))
 *         .aggregation(Aggregation.MEAN_DELAY)
 *         .nullPolicy(NullPolicy.NULL_WHEN_EMPTY)
 *         .build();
 * }</pre>
 */
public final class FeatureDefinition implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    private final String name;
    private final KeySpec key;
    private final EventType events;
    private final WindowSpec window;
    private final Aggregation aggregation;
    private final NullPolicy nullPolicy;

    private FeatureDefinition(Builder b) {
        this.name = b.name;
        this.key = b.key;
        this.events = b.events;
        this.window = b.window;
        this.aggregation = b.aggregation;
        this.nullPolicy = b.nullPolicy;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String name() {
        return name;
    }

    public KeySpec key() {
        return key;
    }

    public EventType events() {
        return events;
    }

    public WindowSpec window() {
        return window;
    }

    public Aggregation aggregation() {
        return aggregation;
    }

    public NullPolicy nullPolicy() {
        return nullPolicy;
    }

    /** Canonical one-line description; the feature-set fingerprint hashes these lines. */
    public String describe() {
        return name
                + " key="
                + key.label()
                + " events="
                + events.name().toLowerCase()
                + " window="
                + window.describe()
                + " agg="
                + aggregation.name().toLowerCase()
                + " nulls="
                + nullPolicy.name().toLowerCase();
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Builder; {@link #build()} checks every field and names the bad one. */
    public static final class Builder {
        private String name;
        private KeySpec key;
        private EventType events;
        private WindowSpec window;
        private Aggregation aggregation;
        private NullPolicy nullPolicy;

        private Builder() {}

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder key(KeySpec key) {
            this.key = key;
            return this;
        }

        public Builder events(EventType events) {
            this.events = events;
            return this;
        }

        public Builder window(WindowSpec window) {
            this.window = window;
            return this;
        }

        public Builder aggregation(Aggregation aggregation) {
            this.aggregation = aggregation;
            return this;
        }

        public Builder nullPolicy(NullPolicy nullPolicy) {
            this.nullPolicy = nullPolicy;
            return this;
        }

        public FeatureDefinition build() {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "feature 'name' must match [a-z][a-z0-9_]*, got " + quote(name));
            }
            String where = "feature '" + name + "': ";
            if (key == null) {
                throw new IllegalArgumentException(where + "'key' is required");
            }
            if (events == null) {
                throw new IllegalArgumentException(where + "'events' is required");
            }
            if (window == null) {
                throw new IllegalArgumentException(where + "'window' is required");
            }
            if (aggregation == null) {
                throw new IllegalArgumentException(where + "'aggregation' is required");
            }
            if (nullPolicy == null) {
                throw new IllegalArgumentException(where + "'nullPolicy' is required");
            }
            if (aggregation.needsDelay() && events != EventType.ARRIVAL) {
                throw new IllegalArgumentException(
                        where
                                + "'aggregation' "
                                + aggregation
                                + " reads the delay, which only ARRIVAL events carry, but 'events' is "
                                + events);
            }
            if (aggregation == Aggregation.MEAN_DELAY && nullPolicy != NullPolicy.NULL_WHEN_EMPTY) {
                throw new IllegalArgumentException(
                        where
                                + "'nullPolicy' must be NULL_WHEN_EMPTY for a mean: the mean of no"
                                + " events is undefined, and 0 would read as 'no delay'");
            }
            return new FeatureDefinition(this);
        }

        private static String quote(String s) {
            return s == null ? "null" : "'" + s + "'";
        }
    }
}
