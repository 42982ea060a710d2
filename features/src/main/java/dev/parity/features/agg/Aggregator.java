package dev.parity.features.agg;

import java.io.DataInput;
import java.io.IOException;
import java.util.Objects;

/**
 * One aggregation over values of one type, as the engine calls it: it makes empty states, turns an
 * event entering (+1) or leaving (-1) a window into a change, applies pending changes to the
 * running aggregate and finalizes that into the feature value. Engine-neutral: the batch and the
 * streaming runner both go through here (the naive reference in the tests deliberately does not).
 *
 * <p>The engine's cycle, per key and feature: an event at {@code ts} adds {@code delta(v, ts, id,
 * +1)} to the pending change at the window's valid-from instant and {@code delta(v, ts, id, -1)} at
 * its valid-until instant; at each instant {@code t} it calls {@link #advance} with the pending
 * change at {@code t}, then {@link #result} answers the queries at {@code t}. Because states form
 * an abelian group ({@link AggState}), the answer depends only on the events, never on the order
 * they arrived or were merged in.
 *
 * <pre>{@code
 * Aggregator<?> agg = Aggregator.of(AggregationKind.parse("last"), ValueType.DOUBLE);
 * run(agg);
 *
 * static <S extends AggState<S>> void run(Aggregator<S> agg) {
 *     S pending = agg.delta(12.5, ts, id, +1);        // or agg.accumulate(pending, ...)
 *     S running = agg.empty();
 *     agg.advance(running, pending);                  // at the valid-from instant
 *     Object value = agg.result(running);             // 12.5
 *     if (running.isEmpty()) { ... drop the state ... }
 * }
 * }</pre>
 *
 * <p>Costs per event and state size, by aggregation:
 *
 * <ul>
 *   <li>{@code count}: one {@code long}, no allocation per event.
 *   <li>{@code sum}, {@code mean} over longs: three {@code long}s (count and a 128-bit exact sum),
 *       no allocation per event.
 *   <li>{@code sum}, {@code mean} over doubles: four counts and an exact fixed-point accumulator of
 *       32-bit digits over the bits in use (typically 3 to 5, at most 68); an event costs a carry
 *       pass over them and allocates only when the range of bits grows.
 *   <li>{@code min}, {@code max}, {@code count_distinct}: a sorted multiset, one entry per distinct
 *       value in the window, {@code O(log d)} per event and one map entry allocated per new value.
 *   <li>{@code last}: a sorted map with one entry per event in the window, {@code O(log e)} per
 *       event and a key and map entry allocated per event.
 * </ul>
 *
 * <p>{@link #accumulate} adds one event into an existing state in place: the hot path, with the
 * allocation noted above; {@link #delta} is the same into a new state.
 *
 * @param <S> the state type
 */
public abstract class Aggregator<S extends AggState<S>> {
    private final AggregationKind kind;
    private final ValueType valueType;
    private final String label;

    private Aggregator(AggregationKind kind, ValueType valueType) {
        this.kind = kind;
        this.valueType = valueType;
        this.label = valueType == null ? kind.specName() : kind.specName() + "(" + valueType + ")";
    }

    /**
     * The aggregator for {@code kind} over values of {@code valueType}.
     *
     * @param valueType may be null for {@code count}, which never looks at values
     * @throws IllegalArgumentException when the aggregation is not defined over that type
     */
    public static Aggregator<?> of(AggregationKind kind, ValueType valueType) {
        Objects.requireNonNull(kind, "kind");
        if (kind == AggregationKind.COUNT) {
            return new Count(valueType);
        }
        if (valueType == null) {
            throw new IllegalArgumentException(kind + " needs a value type");
        }
        if (!kind.accepts(valueType)) {
            throw new IllegalArgumentException(
                    kind + " is defined over long and double values, not " + valueType + " ones");
        }
        switch (kind) {
            case COUNT_DISTINCT:
            case MIN:
            case MAX:
                return new Multiset(kind, valueType);
            case SUM:
            case MEAN:
                return valueType == ValueType.LONG
                        ? new LongSum(kind, valueType)
                        : new DoubleSum(kind, valueType);
            case LAST:
                return new Last(valueType);
            default:
                throw new AssertionError(kind);
        }
    }

    public AggregationKind kind() {
        return kind;
    }

    /** The type of the values aggregated; null for a {@code count} made without one. */
    public ValueType valueType() {
        return valueType;
    }

    /** The type of {@link #result}'s non-null values. */
    public ValueType resultType() {
        return kind.resultType(valueType);
    }

    /** A new state with nothing in it: the running aggregate of an empty window. */
    public abstract S empty();

    /**
     * The change one event makes: {@code sign} +1 as it enters the window, -1 as it leaves.
     *
     * @param value the event's value, null or of {@link #valueType()}
     * @param time the event's time, epoch millis (what {@code last} orders by)
     * @param id the event's id (what {@code last} breaks ties at one time by)
     */
    public final S delta(Object value, long time, long id, int sign) {
        S s = empty();
        accumulate(s, value, time, id, sign);
        return s;
    }

    /** Adds the change one event makes into {@code into}; see {@link #delta}. */
    public final void accumulate(S into, Object value, long time, long id, int sign) {
        if (sign != 1 && sign != -1) {
            throw new IllegalArgumentException(label + ": sign must be +1 or -1, got " + sign);
        }
        add(into, valueType == null ? null : valueType.requireValue(value, label), time, id, sign);
    }

    abstract void add(S into, Object value, long time, long id, int sign);

    /**
     * Applies the pending change of one instant to the running aggregate.
     *
     * @throws IllegalStateException naming this aggregation when the change removes something the
     *     running aggregate does not hold
     */
    public final void advance(S running, S pending) {
        running.applyToRunning(pending, label);
    }

    /**
     * The feature value of a running aggregate: a {@link Long} for the counts (0 when empty), a
     * {@link Double} for sum and mean, a value of {@link #valueType()} for min, max and last; null
     * for those over an empty window.
     */
    public abstract Object result(S running);

    /** Reads a state of this aggregator that {@link AggState#write} wrote. */
    public abstract S read(DataInput in) throws IOException;

    @Override
    public String toString() {
        return label;
    }

    private static final class Count extends Aggregator<CountState> {
        Count(ValueType valueType) {
            super(AggregationKind.COUNT, valueType);
        }

        @Override
        public CountState empty() {
            return new CountState();
        }

        @Override
        void add(CountState into, Object value, long time, long id, int sign) {
            into.add(sign);
        }

        @Override
        public Object result(CountState running) {
            return running.count();
        }

        @Override
        public CountState read(DataInput in) throws IOException {
            return CountState.read(in);
        }
    }

    private static final class LongSum extends Aggregator<LongSumState> {
        private final boolean mean;

        LongSum(AggregationKind kind, ValueType valueType) {
            super(kind, valueType);
            this.mean = kind == AggregationKind.MEAN;
        }

        @Override
        public LongSumState empty() {
            return new LongSumState();
        }

        @Override
        void add(LongSumState into, Object value, long time, long id, int sign) {
            if (value != null) {
                into.add((Long) value, sign);
            }
        }

        @Override
        public Object result(LongSumState running) {
            if (running.count() == 0) {
                return null;
            }
            // (double) sum / count, as the flights features have always been computed
            return mean ? running.sum() / running.count() : running.sum();
        }

        @Override
        public LongSumState read(DataInput in) throws IOException {
            return LongSumState.read(in);
        }
    }

    private static final class DoubleSum extends Aggregator<DoubleSumState> {
        private final boolean mean;

        DoubleSum(AggregationKind kind, ValueType valueType) {
            super(kind, valueType);
            this.mean = kind == AggregationKind.MEAN;
        }

        @Override
        public DoubleSumState empty() {
            return new DoubleSumState();
        }

        @Override
        void add(DoubleSumState into, Object value, long time, long id, int sign) {
            if (value != null) {
                into.add((Double) value, sign);
            }
        }

        @Override
        public Object result(DoubleSumState running) {
            if (running.count() == 0) {
                return null;
            }
            return mean ? running.sum() / running.count() : running.sum();
        }

        @Override
        public DoubleSumState read(DataInput in) throws IOException {
            return DoubleSumState.read(in);
        }
    }

    private static final class Multiset extends Aggregator<ValueMultiset> {
        Multiset(AggregationKind kind, ValueType valueType) {
            super(kind, valueType);
        }

        @Override
        public ValueMultiset empty() {
            return new ValueMultiset(valueType());
        }

        @Override
        void add(ValueMultiset into, Object value, long time, long id, int sign) {
            if (value != null) {
                into.add(canonical(value), sign);
            }
        }

        @Override
        public Object result(ValueMultiset running) {
            switch (kind()) {
                case COUNT_DISTINCT:
                    return running.distinct();
                case MIN:
                    return running.min();
                case MAX:
                    return running.max();
                default:
                    throw new AssertionError(kind());
            }
        }

        @Override
        public ValueMultiset read(DataInput in) throws IOException {
            return ValueMultiset.read(in, valueType());
        }
    }

    private static final class Last extends Aggregator<LatestValues> {
        Last(ValueType valueType) {
            super(AggregationKind.LAST, valueType);
        }

        @Override
        public LatestValues empty() {
            return new LatestValues(valueType());
        }

        @Override
        void add(LatestValues into, Object value, long time, long id, int sign) {
            if (value != null) {
                into.add(time, id, canonical(value), sign);
            }
        }

        @Override
        public Object result(LatestValues running) {
            return running.last();
        }

        @Override
        public LatestValues read(DataInput in) throws IOException {
            return LatestValues.read(in, valueType());
        }
    }

    /**
     * NaNs with other payloads are one value to {@link Double#compareTo}; keeping only the standard
     * one means that which NaN a state holds never depends on which arrived first.
     */
    private static Object canonical(Object value) {
        return value instanceof Double && Double.isNaN((Double) value) ? Double.NaN : value;
    }
}
