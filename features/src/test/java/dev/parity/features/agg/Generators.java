package dev.parity.features.agg;

import dev.parity.features.agg.NaiveAggregation.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random values and events for the property tests, biased to where aggregation goes wrong: ties and
 * duplicates, nulls, {@code -0.0} next to {@code 0.0}, magnitudes from 1e-300 to 1e300 in one
 * window, values whose exact sum is far from their floating-point one, longs that overflow.
 */
final class Generators {
    static final long MINUTE = 60_000L;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;

    private static final double[] SPECIAL_DOUBLES = {
        0.0,
        -0.0,
        1e300,
        -1e300,
        1e-300,
        -1e-300,
        Double.MIN_VALUE,
        -Double.MIN_VALUE,
        Double.MAX_VALUE,
        -Double.MAX_VALUE,
        Double.MIN_NORMAL,
        1e16,
        1.0,
        0.1,
        0.2,
        0.3
    };
    private static final long[] SPECIAL_LONGS = {
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        (1L << 53) + 1,
        -(1L << 53) - 1,
        1L << 62,
        (1L << 62) + 1,
        -(1L << 62)
    };
    private static final String[] STRINGS = {"", "a", "b", "ab", "B", "é", "😀", "\uD800", "zz"};

    private Generators() {}

    /** Every valid (aggregation, value type) pair. */
    static List<Object[]> combinations() {
        List<Object[]> out = new ArrayList<>();
        for (AggregationKind k : AggregationKind.values()) {
            for (ValueType t : ValueType.values()) {
                if (k.accepts(t)) {
                    out.add(new Object[] {k, t});
                }
            }
        }
        return out;
    }

    /**
     * A value of {@code type} or null; {@code nonFinite} allows NaN and infinities, which take the
     * exact sum's other path.
     */
    static Object value(ValueType type, SplittableRandom r, boolean nonFinite) {
        int pick = r.nextInt(10);
        if (pick == 0) {
            return null;
        }
        switch (type) {
            case LONG:
                return pick <= 4
                        ? r.nextLong(-3, 4)
                        : pick == 5
                                ? SPECIAL_LONGS[r.nextInt(SPECIAL_LONGS.length)]
                                : pick <= 7 ? r.nextLong(-1000, 1000) : r.nextLong();
            case DOUBLE:
                return aDouble(r, pick, nonFinite);
            case STRING:
                return pick <= 5 ? STRINGS[r.nextInt(STRINGS.length)] : randomString(r);
            case BOOLEAN:
                return pick == 1 ? null : r.nextBoolean();
            case TIMESTAMP:
                return pick <= 6 ? 978_307_200_000L + r.nextInt(-5, 5) * MINUTE : r.nextLong();
            default:
                throw new AssertionError(type);
        }
    }

    static double aDouble(SplittableRandom r, int pick, boolean nonFinite) {
        switch (pick) {
            case 1:
                return SPECIAL_DOUBLES[r.nextInt(SPECIAL_DOUBLES.length)];
            case 2:
            case 3:
                return r.nextInt(-8, 9) / 4.0;
            case 4:
                return r.nextInt(-1000, 1000) / 10.0;
            case 5:
                return anyFiniteDouble(r);
            case 6:
                return (r.nextDouble() * 2 - 1) * Math.pow(10, r.nextInt(-310, 309));
            case 7:
                return (r.nextBoolean() ? 1e300 : 1e-300)
                        * (r.nextInt(1, 4) * (r.nextBoolean() ? 1 : -1));
            case 8:
                if (nonFinite) {
                    int s = r.nextInt(3);
                    return s == 0
                            ? Double.NaN
                            : s == 1 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
                }
                return r.nextInt(-3, 4);
            default:
                return r.nextDouble() * 2 - 1;
        }
    }

    /** Uniform over bit patterns: every exponent, subnormals included, equally likely. */
    static double anyFiniteDouble(SplittableRandom r) {
        while (true) {
            double d = Double.longBitsToDouble(r.nextLong());
            if (Double.isFinite(d)) {
                return d;
            }
        }
    }

    private static String randomString(SplittableRandom r) {
        int n = r.nextInt(0, 5);
        StringBuilder sb = new StringBuilder(n);
        boolean narrow = r.nextBoolean();
        for (int i = 0; i < n; i++) {
            sb.append((char) (narrow ? r.nextInt('a', 'd') : r.nextInt(0, 0x10000)));
        }
        return sb.toString();
    }

    /** Events with times on a coarse grid (many ties), ids from a small or a wide range. */
    static List<Event> events(
            ValueType type, SplittableRandom r, int max, long base, long step, boolean nonFinite) {
        int n = r.nextInt(0, max + 1);
        boolean smallIds = r.nextBoolean();
        List<Event> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long time = base + r.nextInt(0, 25) * step + (r.nextInt(4) == 0 ? r.nextInt(0, 3) : 0);
            long id = smallIds ? r.nextLong(-20, 21) : r.nextLong();
            events.add(new Event(value(type, r, nonFinite), time, id));
        }
        return events;
    }

    /** Values of the events, as a readable list. */
    static List<Object> values(List<Event> events) {
        List<Object> out = new ArrayList<>(events.size());
        events.forEach(e -> out.add(e.value()));
        return out;
    }

    /** Candidates one event (or half the events) shorter, for shrinking. */
    static <T> List<List<T>> shorter(List<T> list) {
        List<List<T>> out = new ArrayList<>();
        if (list.size() > 1) {
            out.add(new ArrayList<>(list.subList(0, list.size() / 2)));
            out.add(new ArrayList<>(list.subList(list.size() / 2, list.size())));
        }
        for (int i = 0; i < list.size(); i++) {
            List<T> c = new ArrayList<>(list);
            c.remove(i);
            out.add(c);
        }
        return out;
    }
}
