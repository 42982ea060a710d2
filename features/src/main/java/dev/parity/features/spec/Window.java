package dev.parity.features.spec;

import java.io.Serializable;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which past events a feature sees at query time {@code t}: a sliding window {@code [t - W, t)} or
 * a daily window {@code [day(t) - N d, day(t))}, with {@code day(t)} the UTC midnight at or before
 * {@code t}. Both exclude events at exactly {@code t}, the query's own included; a sliding window
 * includes events at exactly {@code t - W}.
 *
 * <p>A daily window changes only at midnight, so it can be served from a daily snapshot table (a
 * batch feature); a sliding window is a streaming feature.
 *
 * <pre>{@code
 * Window.sliding(Duration.ofHours(6));   // spec: 6h
 * Window.daily(30);                      // spec: {days: 30, daily: true}
 * }</pre>
 */
public final class Window implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final String[] UNITS = {"d", "h", "m", "s", "ms"};
    private static final long DAY_MILLIS = 86_400_000L;
    private static final long[] UNIT_MILLIS = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};

    private final long lengthMillis; // sliding; 0 for a daily window
    private final int days; // daily; 0 for a sliding window

    private Window(long lengthMillis, int days) {
        this.lengthMillis = lengthMillis;
        this.days = days;
    }

    /** The sliding window {@code [t - length, t)}; {@code length} must be at least 1 ms. */
    public static Window sliding(Duration length) {
        if (length == null || length.isNegative() || length.toMillis() <= 0) {
            throw new IllegalArgumentException(
                    "window: a sliding window must be at least 1ms, got " + length);
        }
        return new Window(length.toMillis(), 0);
    }

    /** The daily window {@code [day(t) - days, day(t))}; {@code days} must be positive. */
    public static Window daily(int days) {
        if (days <= 0) {
            throw new IllegalArgumentException(
                    "window: days must be a positive number of days, got " + days);
        }
        return new Window(0, days);
    }

    /**
     * A sliding window as a spec writes it: a positive whole number and a unit, {@code ms}, {@code
     * s}, {@code m}, {@code h} or {@code d} ({@code 1d} is exactly 24 hours).
     *
     * @throws IllegalArgumentException with the problem only (the caller adds the spec position)
     */
    public static Window parse(String text) {
        String t = text == null ? "" : text.trim();
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            if (t.startsWith("-")) {
                throw new IllegalArgumentException("must be positive, got '" + text + "'");
            }
            throw new IllegalArgumentException(
                    "expected a whole number and a unit ms, s, m, h or d (like 30m or 7d), or"
                            + " {days: N, daily: true}, got '"
                            + text
                            + "'");
        }
        long amount;
        try {
            amount = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a window");
        }
        if (amount == 0) {
            throw new IllegalArgumentException(
                    "must be positive, got '" + text + "': a window of 0 holds no events");
        }
        long unit = UNIT_MILLIS[indexOf(m.group(2))];
        if (amount > Long.MAX_VALUE / unit / 2) {
            // the engine adds the length to event times; keep far from overflow
            throw new IllegalArgumentException("'" + text + "' is too long a window");
        }
        return new Window(amount * unit, 0);
    }

    private static int indexOf(String unit) {
        for (int i = 0; i < UNITS.length; i++) {
            if (UNITS[i].equals(unit)) {
                return i;
            }
        }
        throw new AssertionError(unit);
    }

    /** Whether this is a daily window (a batch feature). */
    public boolean isDaily() {
        return days > 0;
    }

    /** The length of a sliding window. */
    public Duration length() {
        if (isDaily()) {
            throw new IllegalStateException("a daily window has days, not a length: " + this);
        }
        return Duration.ofMillis(lengthMillis);
    }

    /** The number of days of a daily window. */
    public int days() {
        if (!isDaily()) {
            throw new IllegalStateException("a sliding window has a length, not days: " + this);
        }
        return days;
    }

    /**
     * The form a spec writes, with the largest unit that is exact: {@code 60m} reads back as {@code
     * 1h}.
     */
    public String describe() {
        if (isDaily()) {
            return "{days: " + days + ", daily: true}";
        }
        for (int i = 0; i < UNITS.length; i++) {
            if (lengthMillis % UNIT_MILLIS[i] == 0) {
                return lengthMillis / UNIT_MILLIS[i] + UNITS[i];
            }
        }
        throw new AssertionError(lengthMillis);
    }

    /**
     * The first query time whose window holds an event at {@code ts}: windows end before their
     * query time, so {@code ts + 1} for a sliding window and the next UTC midnight for a daily one.
     */
    public long validFrom(long ts) {
        return isDaily() ? dayOf(ts) + DAY_MILLIS : ts + 1;
    }

    /**
     * The first query time whose window no longer holds an event at {@code ts}: {@code ts + W + 1}
     * for a sliding window ({@code t - W} is inside), {@code day(ts) + (N + 1) d} for a daily one.
     */
    public long validUntil(long ts) {
        return isDaily() ? dayOf(ts) + (days + 1) * DAY_MILLIS : ts + lengthMillis + 1;
    }

    /** The UTC midnight at or before {@code ts}. */
    public static long dayOf(long ts) {
        return Math.floorDiv(ts, DAY_MILLIS) * DAY_MILLIS;
    }

    /** The form the fingerprint hashes: {@code 1h} and {@code 60m} are one window. */
    String canonical() {
        return isDaily() ? "daily:" + days + "d" : "sliding:" + lengthMillis + "ms";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Window
                && ((Window) o).lengthMillis == lengthMillis
                && ((Window) o).days == days;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(lengthMillis) * 31 + days;
    }

    @Override
    public String toString() {
        return describe();
    }
}
