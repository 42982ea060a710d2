package dev.parity.features.engine;

import dev.parity.features.spec.FieldType;
import java.time.Instant;
import java.util.Objects;

/**
 * One value of a daily snapshot ({@link SpecSnapshots}): feature {@code feature} of {@code entity}
 * (its group's key values, {@link SpecPlan.Group#entityOf}) at the UTC midnight {@code day}, as
 * text ({@link #text}); null for a feature over an empty window that has no value.
 */
public final class SnapshotValue {
    public String entity;
    public long day;
    public String feature;
    public String value;

    public SnapshotValue() {}

    public SnapshotValue(String entity, long day, String feature, String value) {
        this.entity = entity;
        this.day = day;
        this.feature = feature;
        this.value = value;
    }

    /**
     * A feature value as the snapshot table stores it, exactly: a long or a boolean in decimal or
     * {@code true}/{@code false}, a double in {@link Double#toString} form (which reads back to the
     * same bits), a timestamp as ISO-8601 UTC, a string as itself. {@link FieldValues#parse} reads
     * it back.
     */
    public static String text(FieldType type, Object value) {
        if (value == null) {
            return null;
        }
        return type == FieldType.TIMESTAMP
                ? Instant.ofEpochMilli((Long) value).toString()
                : value.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SnapshotValue)) {
            return false;
        }
        SnapshotValue s = (SnapshotValue) o;
        return day == s.day
                && entity.equals(s.entity)
                && feature.equals(s.feature)
                && Objects.equals(value, s.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(entity, day, feature, value);
    }

    @Override
    public String toString() {
        return feature + "(" + entity + ")@" + Instant.ofEpochMilli(day) + "=" + value;
    }
}
