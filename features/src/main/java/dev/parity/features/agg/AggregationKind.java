package dev.parity.features.agg;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The aggregations a feature spec can name (docs/SPEC.md). Every one skips null values except
 * {@link #COUNT}, which counts events; over an empty window the counts are 0 and the others null.
 *
 * <pre>{@code
 * AggregationKind kind = AggregationKind.parse("count_distinct");
 * kind.accepts(ValueType.STRING);            // true
 * kind.resultType(ValueType.STRING);         // LONG
 * }</pre>
 */
public enum AggregationKind {
    /** Number of events, nulls included. */
    COUNT("count"),
    /** Exact number of distinct non-null values. */
    COUNT_DISTINCT("count_distinct"),
    /** The double nearest to the exact sum. */
    SUM("sum"),
    /** The {@link #SUM} divided by the number of non-null values. */
    MEAN("mean"),
    MIN("min"),
    MAX("max"),
    /** The value of the latest event; ties at the same time go to the greatest event id. */
    LAST("last");

    private final String specName;

    AggregationKind(String specName) {
        this.specName = specName;
    }

    /** The name a feature spec uses, e.g. {@code count_distinct}. */
    public String specName() {
        return specName;
    }

    /** The aggregation a feature spec names {@code name}. */
    public static AggregationKind parse(String name) {
        for (AggregationKind k : values()) {
            if (k.specName.equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException(
                "unknown aggregation '" + name + "', valid: " + validNames());
    }

    /** Whether this aggregation is defined over values of {@code type}. */
    public boolean accepts(ValueType type) {
        return (this != SUM && this != MEAN) || type.isNumeric();
    }

    /** The type of this aggregation's result over values of {@code input}. */
    public ValueType resultType(ValueType input) {
        switch (this) {
            case COUNT:
            case COUNT_DISTINCT:
                return ValueType.LONG;
            case SUM:
            case MEAN:
                return ValueType.DOUBLE;
            default:
                return input;
        }
    }

    static String validNames() {
        return Arrays.stream(values())
                .map(AggregationKind::specName)
                .collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return specName;
    }
}
