package dev.parity.features.core;

import java.util.Arrays;

/**
 * The point-in-time feature vector of one flight at its departure. A Flink POJO.
 *
 * <p>{@code values} holds the window features in feature-set order, with {@link Double#NaN} for
 * null; {@code label} is the flight's delay when it is known (training files), else null.
 */
public class FeatureVector {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    public long id;
    public long depTime;
    public String origin;
    public String dest;
    public long distance;
    public int depHour;
    public int depDow;
    public double[] values;
    public Long label;

    public FeatureVector() {}

    /** Sets the context features from the departure. */
    public void setContext(long depTime, String origin, String dest, long distance) {
        this.depTime = depTime;
        this.origin = origin;
        this.dest = dest;
        this.distance = distance;
        this.depHour = hourOf(depTime);
        this.depDow = isoDayOfWeek(depTime);
    }

    /** Hour of day, 0-23 UTC. */
    public static int hourOf(long t) {
        return (int) (Math.floorMod(t, DAY) / HOUR);
    }

    /** ISO day of week, Monday 1 to Sunday 7, UTC. 1970-01-01 was a Thursday. */
    public static int isoDayOfWeek(long t) {
        return (int) Math.floorMod(Math.floorDiv(t, DAY) + 3, 7L) + 1;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FeatureVector)) {
            return false;
        }
        FeatureVector v = (FeatureVector) o;
        return id == v.id
                && depTime == v.depTime
                && distance == v.distance
                && depHour == v.depHour
                && depDow == v.depDow
                && java.util.Objects.equals(origin, v.origin)
                && java.util.Objects.equals(dest, v.dest)
                && Arrays.equals(values, v.values)
                && java.util.Objects.equals(label, v.label);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public String toString() {
        return "FeatureVector{id="
                + id
                + ", values="
                + Arrays.toString(values)
                + ", label="
                + label
                + "}";
    }
}
