package dev.parity.features.engine;

import java.time.Instant;

/**
 * The answers a late event should have changed: feature {@code feature} of the entity {@code key}
 * for the queries (departures) at times {@code [from, until)}. Every flight in it with that key may
 * differ from a run where the event was on time; every flight outside it is unaffected. A Flink
 * POJO.
 */
public class MissedWindow {
    public String feature;
    public String key;

    /** First query time missed, inclusive, epoch millis. */
    public long from;

    /** End of the missed query times, exclusive, epoch millis. */
    public long until;

    public MissedWindow() {}

    public MissedWindow(String feature, String key, long from, long until) {
        this.feature = feature;
        this.key = key;
        this.from = from;
        this.until = until;
    }

    /** Whether a query for {@code key} at {@code t} is one of those missed. */
    public boolean covers(String key, long t) {
        return this.key.equals(key) && t >= from && t < until;
    }

    /** {@code feature[key]@from/until}, the form late.csv carries. */
    @Override
    public String toString() {
        return feature
                + "["
                + key
                + "]@"
                + Instant.ofEpochMilli(from)
                + "/"
                + Instant.ofEpochMilli(until);
    }
}
