package dev.parity.features.agg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The facade's contract at its edges: empty windows, nulls, ties, bad input, bad removes. */
class AggregatorTest {
    /** A non-null value of each type, in {@link ValueType} order. */
    private static final Object[] SAMPLES = {"a", 1L, 1.5, true, 1_000L};

    /** The running aggregate after each of {@code events} (value, time, id) entered once. */
    private static <S extends AggState<S>> Object resultOf(Aggregator<S> agg, Object[]... events) {
        S running = agg.empty();
        for (Object[] e : events) {
            agg.advance(running, agg.delta(e[0], (Long) e[1], (Long) e[2], +1));
        }
        return agg.result(running);
    }

    private static Object resultOf(AggregationKind kind, ValueType type, Object... values) {
        Object[][] events = new Object[values.length][];
        for (int i = 0; i < values.length; i++) {
            events[i] = new Object[] {values[i], (long) i, (long) i};
        }
        return resultOf(Aggregator.of(kind, type), events);
    }

    private static Object[] event(Object value, long time, long id) {
        return new Object[] {value, time, id};
    }

    @Test
    void emptyWindowsGiveZeroForTheCountsAndNullForTheRest() {
        for (Object[] kt : Generators.combinations()) {
            AggregationKind kind = (AggregationKind) kt[0];
            Object expected =
                    kind == AggregationKind.COUNT || kind == AggregationKind.COUNT_DISTINCT
                            ? (Object) 0L
                            : null;
            assertThat(resultOf(kind, (ValueType) kt[1])).as("%s(%s)", kt).isEqualTo(expected);
            // a window holding only null values is empty to all but count
            Object onlyNulls = resultOf(kind, (ValueType) kt[1], null, null);
            assertThat(onlyNulls)
                    .as("%s(%s) of nulls", kt)
                    .isEqualTo(kind == AggregationKind.COUNT ? (Object) 2L : expected);
        }
    }

    @Test
    void countCountsEventsWhateverTheirValue() {
        assertThat(resultOf(AggregationKind.COUNT, ValueType.STRING, "a", null, "a")).isEqualTo(3L);
        assertThat(resultOf(Aggregator.of(AggregationKind.COUNT, null), event(null, 1, 1)))
                .isEqualTo(1L);
    }

    @Test
    void countDistinctSkipsNullsAndCountsExactly() {
        assertThat(resultOf(AggregationKind.COUNT_DISTINCT, ValueType.STRING, "a", null, "a", "b"))
                .isEqualTo(2L);
        assertThat(resultOf(AggregationKind.COUNT_DISTINCT, ValueType.BOOLEAN, true, null, false))
                .isEqualTo(2L);
        // doubles are distinct as Double.equals has them: -0.0 is not 0.0, NaN is one value
        assertThat(
                        resultOf(
                                AggregationKind.COUNT_DISTINCT,
                                ValueType.DOUBLE,
                                0.0,
                                -0.0,
                                Double.NaN,
                                Double.longBitsToDouble(0x7ff8_0000_0000_0001L)))
                .isEqualTo(3L);
    }

    @Test
    void countDistinctDropsAValueOnlyWhenItsLastOccurrenceLeaves() {
        Aggregator<?> agg = Aggregator.of(AggregationKind.COUNT_DISTINCT, ValueType.LONG);
        assertThat(removeOneOf(agg, List.of(5L, 5L, 6L), 5L)).isEqualTo(2L);
        assertThat(removeOneOf(agg, List.of(5L, 6L), 5L)).isEqualTo(1L);
    }

    private static <S extends AggState<S>> Object removeOneOf(
            Aggregator<S> agg, List<Object> values, Object removed) {
        S running = agg.empty();
        for (Object v : values) {
            agg.advance(running, agg.delta(v, 0, 0, +1));
        }
        agg.advance(running, agg.delta(removed, 0, 0, -1));
        return agg.result(running);
    }

    @Test
    void minAndMaxRetractToTheNextValue() {
        Aggregator<?> min = Aggregator.of(AggregationKind.MIN, ValueType.DOUBLE);
        assertThat(removeOneOf(min, List.of(2.5, -1.0, 7.0), -1.0)).isEqualTo(2.5);
        Aggregator<?> max = Aggregator.of(AggregationKind.MAX, ValueType.STRING);
        assertThat(removeOneOf(max, List.of("b", "a", "b"), "b")).isEqualTo("b");
        assertThat(removeOneOf(max, List.of("b", "a"), "b")).isEqualTo("a");
    }

    @Test
    void minAndMaxUseTheTotalOrderOfDoubles() {
        assertThat(resultOf(AggregationKind.MIN, ValueType.DOUBLE, 0.0, -0.0)).isEqualTo(-0.0);
        assertThat(resultOf(AggregationKind.MAX, ValueType.DOUBLE, 1.0, Double.NaN))
                .isEqualTo(Double.NaN);
        assertThat(resultOf(AggregationKind.MIN, ValueType.BOOLEAN, true, false)).isEqualTo(false);
        assertThat(resultOf(AggregationKind.MAX, ValueType.TIMESTAMP, 5L, null, 3L)).isEqualTo(5L);
    }

    @Test
    void lastTakesTheLatestTimeThenTheGreatestId() {
        Aggregator<?> last = Aggregator.of(AggregationKind.LAST, ValueType.STRING);
        assertThat(resultOf(last, event("late", 20, 1), event("early", 10, 9))).isEqualTo("late");
        assertThat(resultOf(last, event("id 9", 10, 9), event("id 3", 10, 3), event("x", 5, 99)))
                .isEqualTo("id 9");
        assertThat(resultOf(last, event("id -3", 10, -3), event("id -7", 10, -7)))
                .isEqualTo("id -3");
    }

    @Test
    void lastSkipsNullValues() {
        Aggregator<?> last = Aggregator.of(AggregationKind.LAST, ValueType.LONG);
        assertThat(resultOf(last, event(1L, 10, 1), event(null, 20, 2))).isEqualTo(1L);
    }

    @Test
    void lastFallsBackToTheEventBeforeWhenTheLatestLeaves() {
        Aggregator<?> last = Aggregator.of(AggregationKind.LAST, ValueType.BOOLEAN);
        assertThat(lastAfterRemoving(last)).isEqualTo(false);
    }

    private static <S extends AggState<S>> Object lastAfterRemoving(Aggregator<S> agg) {
        S running = agg.empty();
        agg.advance(running, agg.delta(false, 10, 1, +1));
        agg.advance(running, agg.delta(true, 10, 2, +1));
        assertThat(agg.result(running)).isEqualTo(true);
        agg.advance(running, agg.delta(true, 10, 2, -1));
        return agg.result(running);
    }

    @Test
    void sumAndMeanOfDoublesAreExactAndSkipNulls() {
        assertThat(resultOf(AggregationKind.SUM, ValueType.DOUBLE, 1e300, null, 1e-300, -1e300))
                .isEqualTo(1e-300);
        assertThat(resultOf(AggregationKind.MEAN, ValueType.DOUBLE, 1.0, null, 2.0)).isEqualTo(1.5);
    }

    @Test
    void longMeanIsDoubleSumOverCountLikeTheFlightsFeatures() {
        long[] delays = {-7, 12, 3, 0, 45};
        Object[] values = Arrays.stream(delays).boxed().toArray();
        long sum = Arrays.stream(delays).sum();
        assertThat(resultOf(AggregationKind.MEAN, ValueType.LONG, values))
                .isEqualTo((double) sum / delays.length);
        assertThat(resultOf(AggregationKind.SUM, ValueType.LONG, values)).isEqualTo((double) sum);
    }

    @Test
    void aRemoveOfSomethingNeverAddedFailsNamingTheAggregation() {
        assertRemoveFails(AggregationKind.COUNT, ValueType.LONG, "count(long)");
        assertRemoveFails(AggregationKind.SUM, ValueType.LONG, "sum(long)");
        assertRemoveFails(AggregationKind.MEAN, ValueType.DOUBLE, "mean(double)");
        assertRemoveFails(AggregationKind.MIN, ValueType.STRING, "min(string)");
        assertRemoveFails(AggregationKind.COUNT_DISTINCT, ValueType.BOOLEAN, "count_distinct");
        assertRemoveFails(AggregationKind.LAST, ValueType.TIMESTAMP, "last(timestamp)");
    }

    private static void assertRemoveFails(AggregationKind kind, ValueType type, String name) {
        Object value = SAMPLES[type.ordinal()];
        assertThatThrownBy(() -> removeFromEmpty(Aggregator.of(kind, type), value))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(name);
    }

    private static <S extends AggState<S>> void removeFromEmpty(Aggregator<S> agg, Object value) {
        agg.advance(agg.empty(), agg.delta(value, 1, 1, -1));
    }

    @Test
    void aSumWhoseValuesDifferFromTheOnesAddedFails() {
        // count back to 0 but the sum not: a remove of a value that never entered
        assertThatThrownBy(
                        () -> swapValue(Aggregator.of(AggregationKind.SUM, ValueType.LONG), 1L, 2L))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("sum(long)");
        assertThatThrownBy(
                        () ->
                                swapValue(
                                        Aggregator.of(AggregationKind.MEAN, ValueType.DOUBLE),
                                        0.5,
                                        0.25))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("mean(double)");
    }

    private static <S extends AggState<S>> void swapValue(
            Aggregator<S> agg, Object in, Object out) {
        S running = agg.empty();
        agg.advance(running, agg.delta(in, 1, 1, +1));
        agg.advance(running, agg.delta(out, 1, 1, -1));
    }

    @Test
    void aPendingChangeMayHoldARemoveWhoseAddIsEarlier() {
        Aggregator<?> agg = Aggregator.of(AggregationKind.MAX, ValueType.LONG);
        assertThat(pendingRemoveThenAdd(agg)).isTrue();
    }

    private static <S extends AggState<S>> boolean pendingRemoveThenAdd(Aggregator<S> agg) {
        S atT1 = agg.delta(4L, 1, 1, +1);
        S atT2 = agg.delta(4L, 1, 1, -1);
        agg.accumulate(atT2, 9L, 2, 2, +1);
        // the engine merges pendings freely; only the running aggregate must stay non-negative
        S running = agg.empty();
        agg.advance(running, atT1);
        assertThat(agg.result(running)).isEqualTo(4L);
        agg.advance(running, atT2);
        assertThat(agg.result(running)).isEqualTo(9L);
        agg.advance(running, agg.delta(9L, 2, 2, -1));
        return running.isEmpty();
    }

    @Test
    void badInputIsRejectedWithItsName() {
        assertThatThrownBy(() -> AggregationKind.parse("avg"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unknown aggregation 'avg', valid: count, count_distinct, sum, mean, min,"
                                + " max, last");
        assertThat(AggregationKind.parse("count_distinct"))
                .isEqualTo(AggregationKind.COUNT_DISTINCT);
        assertThatThrownBy(() -> ValueType.parse("int"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unknown value type 'int', valid: string, long, double, boolean, timestamp");
        assertThatThrownBy(() -> Aggregator.of(AggregationKind.SUM, ValueType.STRING))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sum")
                .hasMessageContaining("string");
        assertThatThrownBy(() -> Aggregator.of(AggregationKind.MEAN, ValueType.TIMESTAMP))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Aggregator.of(AggregationKind.MAX, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max");
        Aggregator<?> max = Aggregator.of(AggregationKind.MAX, ValueType.DOUBLE);
        assertThatThrownBy(() -> max.delta("12.5", 1, 1, +1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max(double): expected a double value (Double), got String '12.5'");
        assertThatThrownBy(() -> max.delta(12L, 1, 1, +1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> max.delta(12.5, 1, 1, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sign");
    }

    @Test
    void resultTypesFollowTheAggregation() {
        assertThat(Aggregator.of(AggregationKind.COUNT_DISTINCT, ValueType.STRING).resultType())
                .isEqualTo(ValueType.LONG);
        assertThat(Aggregator.of(AggregationKind.MEAN, ValueType.LONG).resultType())
                .isEqualTo(ValueType.DOUBLE);
        assertThat(Aggregator.of(AggregationKind.LAST, ValueType.TIMESTAMP).resultType())
                .isEqualTo(ValueType.TIMESTAMP);
        assertThat(Aggregator.of(AggregationKind.MIN, ValueType.BOOLEAN).toString())
                .isEqualTo("min(boolean)");
    }

    @Test
    void copiesAreIndependent() {
        LatestValues a = new LatestValues(ValueType.LONG);
        a.add(1, 1, 10L, +1);
        LatestValues b = a.copy();
        b.add(2, 2, 20L, +1);
        assertThat(a.last()).isEqualTo(10L);
        assertThat(b.last()).isEqualTo(20L);
        DoubleSumState s = new DoubleSumState();
        s.add(0.1, +1);
        DoubleSumState t = s.copy();
        t.add(0.1, -1);
        assertThat(s.sum()).isEqualTo(0.1);
        assertThat(t.isEmpty()).isTrue();
    }
}
