package dev.parity.features.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.FlightFeatures;
import dev.parity.features.events.FlightEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The keyed feature-group operator under Flink's operator harness: window boundaries, ties at the
 * same minute, and keyed state and timers returning to zero after the last window expires.
 */
class FeatureGroupFunctionTest {
    private static final FeatureSet SET = FlightFeatures.standard();
    private static final int ORIGIN_DEP_1H = SET.indexOf("origin_dep_1h");
    private static final int ORIGIN_DELAY_6H = SET.indexOf("origin_delay_mean_6h");
    private static final int DEST_ARR_1H = SET.indexOf("dest_arr_1h");
    private static final int ORIGIN_GROUP = 0; // first key in the set: origin
    private static final int DEST_GROUP = 1;
    private static final long T0 = Instant.parse("2001-03-07T12:00:00Z").toEpochMilli();
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;

    private KeyedOneInputStreamOperatorTestHarness<String, GroupInput, FlightPart> harness;
    private long nextId = 1;

    @BeforeEach
    void open() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new FeatureGroupFunction(SET), in -> in.key, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void anEventExactlyOneWindowBeforeCountsAndOneAtTheQueryTimeDoesNot() throws Exception {
        departure("ORD", T0 - HOUR); // at t - W: counted
        departure("ORD", T0 - HOUR - 1); // 1 ms before t - W: not counted
        long query = departure("ORD", T0); // the query itself departs at t: not counted
        departure("ORD", T0); // another departure at exactly t: not counted

        harness.processWatermark(T0);

        assertThat(value(query, ORIGIN_DEP_1H)).isEqualTo(1.0);
    }

    @Test
    void tiesAtTheSameMinuteGiveTheSameAnswerToEveryQueryInAnyArrivalOrder() throws Exception {
        long a = departure("ORD", T0);
        arrival("ORD", "LAX", T0 - 10 * MIN, 30);
        long b = departure("ORD", T0);
        arrival("ORD", "SFO", T0 - 10 * MIN, 10);
        departure("ORD", T0 - 5 * MIN);
        long c = departure("ORD", T0);

        harness.processWatermark(T0);

        for (long id : new long[] {a, b, c}) {
            assertThat(value(id, ORIGIN_DEP_1H)).as("flight %d", id).isEqualTo(1.0);
            assertThat(value(id, ORIGIN_DELAY_6H)).as("flight %d", id).isEqualTo(20.0);
        }
    }

    @Test
    void aMeanIsNullWhenTheWindowIsEmptyAndACountIsZero() throws Exception {
        arrival("ORD", "LAX", T0 - 7 * HOUR, 30); // outside 6 h
        long q = departure("ORD", T0);
        harness.processWatermark(T0);
        assertThat(value(q, ORIGIN_DELAY_6H)).isNaN();
        assertThat(value(q, ORIGIN_DEP_1H)).isZero();
    }

    @Test
    void answersWaitForTheWatermarkToPassTheQueryTime() throws Exception {
        long q = departure("ORD", T0);
        harness.processWatermark(T0 - 1);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processWatermark(T0);
        assertThat(harness.extractOutputValues()).extracting(p -> p.id).containsExactly(q);
    }

    @Test
    void destGroupCountsArrivalsAtTheDestination() throws Exception {
        arrival("ORD", "LAX", T0 - 30 * MIN, 5);
        arrival("SFO", "LAX", T0 - 90 * MIN, 5); // outside 1 h
        long q = nextId++;
        harness.processElement(input(DEST_GROUP, "LAX", false, true, dep(q, "JFK", "LAX", T0)), T0);
        harness.processWatermark(T0);
        assertThat(value(q, DEST_ARR_1H)).isEqualTo(1.0);
    }

    @Test
    void keyedStateAndTimersReturnToZeroAfterTheLastWindowExpires() throws Exception {
        departure("ORD", T0 - 2 * HOUR);
        arrival("ORD", "LAX", T0 - HOUR, 12);
        departure("ORD", T0);
        harness.processWatermark(T0);
        assertThat(harness.numKeyedStateEntries()).isPositive();
        assertThat(harness.numEventTimeTimers()).isPositive();

        // The longest origin window is the 30-day daily one: 31 days after the last event's day.
        harness.processWatermark(T0 + Duration.ofDays(32).toMillis());

        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    private long departure(String origin, long t) throws Exception {
        long id = nextId++;
        harness.processElement(
                input(ORIGIN_GROUP, origin, true, true, dep(id, origin, "XXX", t)), t);
        return id;
    }

    private void arrival(String origin, String dest, long t, long delay) throws Exception {
        FlightEvent e = FlightEvent.arrival(nextId++, t, origin, dest, delay);
        harness.processElement(input(ORIGIN_GROUP, origin, true, false, e), t);
        harness.processElement(input(DEST_GROUP, dest, true, false, e), t);
    }

    private static FlightEvent dep(long id, String origin, String dest, long t) {
        return FlightEvent.departure(id, t, origin, dest, 500);
    }

    private static GroupInput input(
            int group, String key, boolean contributes, boolean query, FlightEvent e) {
        return new GroupInput(GroupKeys.of(group, key), group, contributes, query, e);
    }

    private double value(long id, int feature) {
        List<FlightPart> parts =
                harness.extractOutputValues().stream()
                        .filter(p -> p.id == id)
                        .collect(Collectors.toList());
        assertThat(parts).as("parts of flight %d", id).hasSize(1);
        return parts.get(0).values[feature];
    }
}
