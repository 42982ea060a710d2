package dev.parity.features.flink;

/**
 * One piece of a flight's feature vector, joined by flight id: a feature group's values, the
 * departure's context, or the label. A Flink POJO.
 */
public class FlightPart {
    /** Kinds beyond the group indices {@code 0..G-1}. */
    public static final int CONTEXT = -1;

    public static final int LABEL = -2;

    /**
     * The departure was late: the flight's vector cannot be exact, so the join reports it as
     * incomplete instead of waiting for parts that will never come.
     */
    public static final int LATE = -3;

    public long id;

    /** A group index, {@link #CONTEXT}, {@link #LABEL} or {@link #LATE}. */
    public int kind;

    /** Event time of the part: departure time, or arrival time for the label. */
    public long time;

    /** Group values over the whole feature set, NaN where not this group's (group parts only). */
    public double[] values;

    /** Context parts only. */
    public String origin;

    public String dest;
    public long distance;

    /** Label parts only: the delay in minutes. */
    public long label;

    /** Late parts only: the watermark the departure was behind. */
    public long watermark;

    public FlightPart() {}

    public static FlightPart group(long id, int group, long time, double[] values) {
        FlightPart p = new FlightPart();
        p.id = id;
        p.kind = group;
        p.time = time;
        p.values = values;
        return p;
    }

    public static FlightPart context(long id, long time, String origin, String dest, long dist) {
        FlightPart p = new FlightPart();
        p.id = id;
        p.kind = CONTEXT;
        p.time = time;
        p.origin = origin;
        p.dest = dest;
        p.distance = dist;
        return p;
    }

    public static FlightPart label(long id, long arrivalTime, long delay) {
        FlightPart p = new FlightPart();
        p.id = id;
        p.kind = LABEL;
        p.time = arrivalTime;
        p.label = delay;
        return p;
    }

    public static FlightPart late(long id, long departureTime, long watermark) {
        FlightPart p = new FlightPart();
        p.id = id;
        p.kind = LATE;
        p.time = departureTime;
        p.watermark = watermark;
        return p;
    }

    @Override
    public String toString() {
        return "FlightPart{id=" + id + ", kind=" + kind + ", time=" + time + "}";
    }
}
