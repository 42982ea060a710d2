package dev.parity.features.agg;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;

/**
 * The aggregations of docs/SPEC.md recomputed from scratch over the events in a window, with exact
 * arithmetic ({@link BigInteger}, {@link BigDecimal}) and no state: what {@link Aggregator} must
 * agree with, bit for bit. Public so that other modules' parity tests can reuse it from the test
 * jar.
 *
 * <pre>{@code
 * Object max = NaiveAggregation.aggregate(AggregationKind.MAX, ValueType.DOUBLE, eventsInWindow);
 * }</pre>
 */
public final class NaiveAggregation {
    private NaiveAggregation() {}

    /** One event as an aggregation sees it. */
    public record Event(Object value, long time, long id) {}

    public static Object aggregate(
            AggregationKind kind, ValueType type, Collection<Event> eventsInWindow) {
        if (kind == AggregationKind.COUNT) {
            return (long) eventsInWindow.size();
        }
        List<Event> present = new ArrayList<>();
        for (Event e : eventsInWindow) {
            if (e.value() != null) {
                present.add(e);
            }
        }
        if (kind == AggregationKind.COUNT_DISTINCT) {
            HashSet<Object> distinct = new HashSet<>();
            present.forEach(e -> distinct.add(e.value()));
            return (long) distinct.size();
        }
        if (present.isEmpty()) {
            return null;
        }
        switch (kind) {
            case SUM:
                return sum(type, present);
            case MEAN:
                return sum(type, present) / present.size();
            case MIN:
            case MAX:
                Object best = present.get(0).value();
                for (Event e : present) {
                    int c = compare(e.value(), best);
                    if (kind == AggregationKind.MIN ? c < 0 : c > 0) {
                        best = e.value();
                    }
                }
                return best;
            case LAST:
                Event latest = present.get(0);
                for (Event e : present) {
                    if (later(e, latest)) {
                        latest = e;
                    }
                }
                return latest.value();
            default:
                throw new AssertionError(kind);
        }
    }

    /** The double nearest to the exact sum. */
    private static double sum(ValueType type, List<Event> present) {
        if (type == ValueType.LONG) {
            BigInteger s = BigInteger.ZERO;
            for (Event e : present) {
                s = s.add(BigInteger.valueOf((Long) e.value()));
            }
            return s.doubleValue();
        }
        boolean nan = false;
        boolean positive = false;
        boolean negative = false;
        BigDecimal s = BigDecimal.ZERO;
        for (Event e : present) {
            double x = (Double) e.value();
            if (Double.isNaN(x)) {
                nan = true;
            } else if (x == Double.POSITIVE_INFINITY) {
                positive = true;
            } else if (x == Double.NEGATIVE_INFINITY) {
                negative = true;
            } else {
                s = s.add(new BigDecimal(x));
            }
        }
        if (nan || (positive && negative)) {
            return Double.NaN;
        }
        if (positive || negative) {
            return positive ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
        // BigDecimal.doubleValue rounds to nearest; a zero sum is +0.0
        return s.signum() == 0 ? 0.0 : s.doubleValue();
    }

    private static boolean later(Event a, Event b) {
        if (a.time() != b.time()) {
            return a.time() > b.time();
        }
        if (a.id() != b.id()) {
            return a.id() > b.id();
        }
        return compare(a.value(), b.value()) > 0;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        return ((Comparable) a).compareTo(b);
    }
}
