package dev.parity.features.agg;

import static dev.parity.features.agg.States.assertSameValue;
import static dev.parity.features.agg.States.bytes;
import static dev.parity.features.agg.States.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.features.agg.NaiveAggregation.Event;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every state type writes itself compactly and reads back to an equal, equally behaving state. */
class StateSerializationTest {
    private static final int TRIES = 200;

    static Stream<Arguments> combinations() {
        return Generators.combinations().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}({1})")
    @MethodSource("combinations")
    void randomStatesRoundTrip(AggregationKind kind, ValueType type) {
        Aggregator<?> agg = Aggregator.of(kind, type);
        Trials.check(
                agg + " round trip",
                TRIES,
                r -> new Case(type, Generators.events(type, r, 50, 0, 1_000, true), r.nextLong()),
                Case::shrink,
                c -> checkRoundTrip(agg, c));
    }

    record Case(ValueType type, List<Event> events, long seed) {
        List<Case> shrink() {
            return Generators.shorter(events).stream().map(es -> new Case(type, es, seed)).toList();
        }
    }

    /** Pending changes too, with negative multiplicities and counts. */
    private static <S extends AggState<S>> void checkRoundTrip(Aggregator<S> agg, Case c) {
        SplittableRandom r = new SplittableRandom(c.seed());
        S state = agg.empty();
        for (Event e : c.events()) {
            agg.accumulate(state, e.value(), e.time(), e.id(), r.nextInt(4) == 0 ? -1 : +1);
        }
        S back = roundTrip(agg, state);
        assertThat(back).isEqualTo(state);
        assertThat(bytes(back)).isEqualTo(bytes(state));
        assertSameValue(agg.result(back), agg.result(state), agg + " result");
        // and it goes on behaving the same
        Object value = Generators.value(agg.valueType(), r, true);
        agg.accumulate(back, value, 7, 7, +1);
        agg.accumulate(state, value, 7, 7, +1);
        assertThat(back).isEqualTo(state);
    }

    @Test
    void typicalSizesAreSmall() {
        CountState count = new CountState();
        count.add(5);
        assertThat(bytes(count)).hasSize(2);

        LongSumState longs = new LongSumState();
        longs.add(42, +1);
        longs.add(-17, +1);
        assertThat(bytes(longs)).hasSize(4);

        DoubleSumState amounts = new DoubleSumState();
        for (int cents = 1; cents < 1000; cents += 37) {
            amounts.add(cents / 100.0, +1);
        }
        assertThat(bytes(amounts)).hasSizeLessThanOrEqualTo(1 + 4 + 2 + 5 * 4);

        DoubleSumState extremes = new DoubleSumState();
        extremes.add(Double.MAX_VALUE, +1);
        extremes.add(Double.MIN_VALUE, +1);
        assertThat(bytes(extremes)).hasSizeLessThanOrEqualTo(1 + 4 + 1 + 2 + 66 * 4);

        ValueMultiset values = new ValueMultiset(ValueType.LONG);
        values.add(3L, 1);
        values.add(-200L, 2);
        // format, type, count, then 1 + 1 and 2 + 1 bytes
        assertThat(bytes(values)).hasSize(3 + 2 + 3);

        LatestValues last = new LatestValues(ValueType.STRING);
        last.add(1_700_000_000_000L, 1, "a", 1);
        last.add(1_700_000_000_500L, 2, "b", 1);
        // the second time costs 2 bytes as a distance, not 6
        assertThat(bytes(last)).hasSize(3 + (6 + 1 + 2 + 1) + (2 + 1 + 2 + 1));
    }

    @Test
    void stringsWithAnyCharsRoundTrip() throws IOException {
        ValueMultiset values = new ValueMultiset(ValueType.STRING);
        for (String s : List.of("", "é", "😀", "\uD800", "\uDFFF x", "\u0000", "a,\"b\"")) {
            values.add(s, 1);
        }
        ValueMultiset back = read(bytes(values), in -> ValueMultiset.read(in, ValueType.STRING));
        assertThat(back).isEqualTo(values);
    }

    @Test
    void unknownFormatsAndOtherStateTypesFailClearly() {
        byte[] count = bytes(new CountState());
        assertThatThrownBy(() -> read(count, LongSumState::read))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "not a LongSumState in a known format: format byte 0x11, expected 0x21");
        byte[] future = count.clone();
        future[0] = 0x12;
        assertThatThrownBy(() -> read(future, CountState::read))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("0x12");

        ValueMultiset longs = new ValueMultiset(ValueType.LONG);
        longs.add(1L, 1);
        byte[] multiset = bytes(longs);
        assertThatThrownBy(() -> read(multiset, in -> ValueMultiset.read(in, ValueType.DOUBLE)))
                .isInstanceOf(IOException.class)
                .hasMessage("ValueMultiset holds long values, expected double");

        byte[] truncated = Arrays.copyOf(multiset, multiset.length - 1);
        assertThatThrownBy(() -> read(truncated, in -> ValueMultiset.read(in, ValueType.LONG)))
                .isInstanceOf(EOFException.class);
    }

    @Test
    void everyDoubleSumCanBeWrittenAndRead() throws IOException {
        // the widest sum there is: the largest and the smallest magnitudes, many times over
        DoubleSumState s = new DoubleSumState();
        for (int i = 0; i < 1000; i++) {
            s.add(Double.MAX_VALUE, +1);
            s.add(-Double.MIN_VALUE, +1);
        }
        DoubleSumState back = read(bytes(s), DoubleSumState::read);
        assertThat(back).isEqualTo(s);
        assertThat(back.sum()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(bytes(back)).hasSizeLessThanOrEqualTo(1 + 4 * 3 + 1 + 1 + 68 * 4);
    }

    private interface Reader<S> {
        S read(DataInputStream in) throws IOException;
    }

    private static <S> S read(byte[] bytes, Reader<S> reader) throws IOException {
        return reader.read(new DataInputStream(new ByteArrayInputStream(bytes)));
    }
}
