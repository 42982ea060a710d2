package dev.parity.features.api;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Which past events a feature at query time {@code t} sees. Every window looks strictly backwards:
 * an event at exactly {@code t} never counts.
 *
 * <p>A window is described by the interval of query times for which one event counts: {@link
 * #validFrom(long)} (inclusive) and {@link #validUntil(long)} (exclusive). The aggregation core
 * turns those two instants into an add and a remove, which makes every window type exact and
 * order-independent.
 *
 * <pre>{@code
 * WindowSpec.sliding(Duration.ofHours(1));   // [t - 1h, t)
 * WindowSpec.trailingDays(30);               // [day(t) - 30d, day(t))
 * }</pre>
 */
public abstract class WindowSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    static final long DAY_MILLIS = Duration.ofDays(1).toMillis();

    private WindowSpec() {}

    /** The sliding window {@code [t - length, t)}. */
    public static WindowSpec sliding(Duration length) {
        return new Sliding(length);
    }

    /** The day-aligned window {@code [day(t) - days, day(t))}, with {@code day(t)} UTC midnight. */
    public static WindowSpec trailingDays(int days) {
        return new TrailingDays(days);
    }

    /** First query time (inclusive, epoch millis) whose window contains an event at {@code ts}. */
    public abstract long validFrom(long ts);

    /** First query time (epoch millis) whose window no longer contains an event at {@code ts}. */
    public abstract long validUntil(long ts);

    /** The longest span between an event and the last query that sees it, in millis. */
    public abstract long horizonMillis();

    /** Stable text used in descriptions and in the feature-set fingerprint. */
    public abstract String describe();

    /**
     * Whether the feature only changes at UTC midnight (a batch feature, servable from snapshots).
     */
    public abstract boolean isDaily();

    @Override
    public String toString() {
        return describe();
    }

    /** UTC midnight at or before {@code ts}. */
    public static long dayOf(long ts) {
        return Math.floorDiv(ts, DAY_MILLIS) * DAY_MILLIS;
    }

    static final class Sliding extends WindowSpec {
        private final long lengthMillis;

        Sliding(Duration length) {
            Objects.requireNonNull(length, "window length");
            if (length.isNegative() || length.isZero()) {
                throw new IllegalArgumentException("window length must be positive, got " + length);
            }
            this.lengthMillis = length.toMillis();
        }

        @Override
        public long validFrom(long ts) {
            // the event counts for every t > ts, i.e. from ts + 1 ms
            return ts + 1;
        }

        @Override
        public long validUntil(long ts) {
            // ... and while ts >= t - W, i.e. t <= ts + W
            return ts + lengthMillis + 1;
        }

        @Override
        public long horizonMillis() {
            return lengthMillis + 1;
        }

        @Override
        public String describe() {
            return "sliding(" + Duration.ofMillis(lengthMillis) + ")";
        }

        @Override
        public boolean isDaily() {
            return false;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sliding && ((Sliding) o).lengthMillis == lengthMillis;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(lengthMillis);
        }
    }

    static final class TrailingDays extends WindowSpec {
        private final int days;

        TrailingDays(int days) {
            if (days <= 0) {
                throw new IllegalArgumentException("trailing days must be positive, got " + days);
            }
            this.days = days;
        }

        @Override
        public long validFrom(long ts) {
            // ts < day(t)  <=>  day(t) >= day(ts) + 1d
            return dayOf(ts) + DAY_MILLIS;
        }

        @Override
        public long validUntil(long ts) {
            // ts >= day(t) - days  <=>  day(t) <= day(ts) + days
            return dayOf(ts) + (days + 1) * DAY_MILLIS;
        }

        @Override
        public long horizonMillis() {
            return (days + 1) * DAY_MILLIS;
        }

        @Override
        public String describe() {
            return "trailing_days(" + days + ")";
        }

        @Override
        public boolean isDaily() {
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TrailingDays && ((TrailingDays) o).days == days;
        }

        @Override
        public int hashCode() {
            return days;
        }
    }
}
