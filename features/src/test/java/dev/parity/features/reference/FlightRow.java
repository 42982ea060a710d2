package dev.parity.features.reference;

import java.time.Instant;

/**
 * One flight of the sample as the reference reads it: a row of {@code flights-3m.parquet} (or of
 * its CSV form, {@code id,date,delay,distance,origin,destination}). Test code only; the engine
 * reads flights through the flights spec like any other data.
 */
public final class FlightRow {
    /** 0-based row index in {@code flights-3m.parquet}; samples keep the original ids. */
    public final long id;

    /** Scheduled departure instant, epoch millis UTC. */
    public final long depTime;

    /** Arrival delay in minutes (the label). */
    public final long delay;

    /** Distance in miles. */
    public final long distance;

    public final String origin;
    public final String dest;

    public FlightRow(long id, long depTime, long delay, long distance, String origin, String dest) {
        this.id = id;
        this.depTime = depTime;
        this.delay = delay;
        this.distance = distance;
        this.origin = origin;
        this.dest = dest;
    }

    /**
     * Arrival instant as examples/flights/README.md defines it: departure + max(1, 30 + distance /
     * 8 + delay) minutes.
     */
    public long arrivalTime() {
        return depTime + Math.max(1, 30 + distance / 8 + delay) * 60_000L;
    }

    /** The row as the source's CSV writes it. */
    public String csv() {
        return id
                + ","
                + Instant.ofEpochMilli(depTime)
                + ","
                + delay
                + ","
                + distance
                + ","
                + origin
                + ","
                + dest;
    }

    @Override
    public String toString() {
        return "FlightRow{" + csv() + "}";
    }
}
