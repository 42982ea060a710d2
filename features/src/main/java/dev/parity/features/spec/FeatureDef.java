package dev.parity.features.spec;

import dev.parity.features.agg.AggregationKind;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * One window feature: the events of one kind whose key fields equal the query event's, within a
 * window before the query time, reduced by an aggregation (over a value field, except {@code
 * count}).
 *
 * <pre>{@code
 * - {name: merchant_amount_mean_30d, event: payment, key: [merchant], value: amount,
 *    window: 30d, aggregation: mean}
 * }</pre>
 */
public final class FeatureDef implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final String event;
    private final List<String> key;
    private final String value;
    private final Window window;
    private final AggregationKind aggregation;
    private final FieldType resultType;

    FeatureDef(
            String name,
            String event,
            List<String> key,
            String value,
            Window window,
            AggregationKind aggregation,
            FieldType resultType) {
        this.name = name;
        this.event = event;
        this.key = Collections.unmodifiableList(new ArrayList<>(key));
        this.value = value;
        this.window = window;
        this.aggregation = aggregation;
        this.resultType = resultType;
    }

    /** The output column. */
    public String name() {
        return name;
    }

    /** The kind of the aggregated events. */
    public String event() {
        return event;
    }

    /** Key fields, present with the same names and types in the event kind and the query kind. */
    public List<String> key() {
        return key;
    }

    /** The aggregated field; empty for {@code count}. */
    public Optional<String> value() {
        return Optional.ofNullable(value);
    }

    public Window window() {
        return window;
    }

    public AggregationKind aggregation() {
        return aggregation;
    }

    /**
     * The type of the feature's value: long for the counts, double for {@code sum} and {@code
     * mean}, the value field's type otherwise.
     */
    public FieldType resultType() {
        return resultType;
    }

    @Override
    public String toString() {
        return name
                + "{"
                + aggregation
                + (value == null ? "" : "(" + value + ")")
                + " of "
                + event
                + " by "
                + key
                + " over "
                + window
                + "}";
    }

    /** Collects a feature's declaration; {@link FeatureSpec.Builder#build()} checks it. */
    public static final class Builder {
        String name;
        String event;
        List<String> key;
        String value;
        String windowText;
        Window window;
        String aggregation;

        Builder() {}

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** The kind of the aggregated events. */
        public Builder event(String kind) {
            this.event = kind;
            return this;
        }

        public Builder key(String... fields) {
            return key(fields == null ? null : Arrays.asList(fields));
        }

        public Builder key(List<String> fields) {
            this.key = fields == null ? null : new ArrayList<>(fields);
            return this;
        }

        /** The aggregated field: required by every aggregation except {@code count}. */
        public Builder value(String field) {
            this.value = field;
            return this;
        }

        /** A sliding window as a spec writes it: {@code 30m}, {@code 6h}, {@code 7d}, .... */
        public Builder window(String text) {
            this.windowText = text;
            this.window = null;
            return this;
        }

        public Builder window(Window window) {
            this.window = window;
            this.windowText = null;
            return this;
        }

        /** The aggregation as a spec names it: {@code count}, {@code mean}, .... */
        public Builder aggregation(String name) {
            this.aggregation = name;
            return this;
        }

        public Builder aggregation(AggregationKind kind) {
            return aggregation(kind == null ? null : kind.specName());
        }
    }
}
