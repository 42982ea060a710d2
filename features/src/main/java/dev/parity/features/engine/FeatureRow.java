package dev.parity.features.engine;

import java.util.Arrays;

/**
 * One output row: the query event's id and time, then the values in {@link SpecPlan#header()} order
 * after the id (context, features, label). A feature over an empty window is 0 for the counts and
 * null for the rest.
 */
public final class FeatureRow {
    public final long id;
    public final long time;
    public final Object[] values;

    public FeatureRow(long id, long time, Object[] values) {
        this.id = id;
        this.time = time;
        this.values = values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureRow
                && ((FeatureRow) o).id == id
                && ((FeatureRow) o).time == time
                && Arrays.equals(((FeatureRow) o).values, values);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return id + "@" + time + Arrays.toString(values);
    }
}
