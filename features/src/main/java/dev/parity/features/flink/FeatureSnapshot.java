package dev.parity.features.flink;

/**
 * One value of a daily batch-feature snapshot: {@code feature} of {@code entity} as of the UTC
 * midnight {@code day}, computed from the events before it. A Flink POJO.
 *
 * <p>{@code entity} is {@code origin:SFO}, {@code dest:SFO} or {@code route:SFO>LAX}; {@code value}
 * is {@link Double#NaN} for null (a mean over no events).
 */
public class FeatureSnapshot {
    public String entity;

    /** Epoch millis of the UTC midnight the value is valid at. */
    public long day;

    public String feature;
    public double value;

    public FeatureSnapshot() {}

    public FeatureSnapshot(String entity, long day, String feature, double value) {
        this.entity = entity;
        this.day = day;
        this.feature = feature;
        this.value = value;
    }

    @Override
    public String toString() {
        return entity + "," + java.time.Instant.ofEpochMilli(day) + "," + feature + "," + value;
    }
}
