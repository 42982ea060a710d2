package dev.parity.features.events;

import java.time.Instant;
import java.util.Objects;

/**
 * One validated input row: a flight of {@code flights-3m.parquet} (or the CSV form of it). A Flink
 * POJO: public no-arg constructor and public fields.
 */
public class FlightRow {
    /** 0-based row index in {@code flights-3m.parquet}; samples keep the original ids. */
    public long id;

    /** Scheduled departure instant, epoch millis UTC. */
    public long depTime;

    /** Arrival delay in minutes (the label). */
    public long delay;

    /** Distance in miles, never negative. */
    public long distance;

    public String origin;
    public String dest;

    public FlightRow() {}

    public FlightRow(long id, long depTime, long delay, long distance, String origin, String dest) {
        this.id = id;
        this.depTime = depTime;
        this.delay = delay;
        this.distance = distance;
        this.origin = origin;
        this.dest = dest;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FlightRow)) {
            return false;
        }
        FlightRow r = (FlightRow) o;
        return id == r.id
                && depTime == r.depTime
                && delay == r.delay
                && distance == r.distance
                && Objects.equals(origin, r.origin)
                && Objects.equals(dest, r.dest);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public String toString() {
        return "FlightRow{id="
                + id
                + ", dep="
                + Instant.ofEpochMilli(depTime)
                + ", delay="
                + delay
                + ", distance="
                + distance
                + ", "
                + origin
                + "->"
                + dest
                + "}";
    }
}
