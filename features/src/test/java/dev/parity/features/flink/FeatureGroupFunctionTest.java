package dev.parity.features.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.FlightFeatures;
import dev.parity.features.events.FlightEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FeatureGroupFunctionTest {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final double NAN = Double.NaN;

    private static final long T = Instant.parse("2001-01-10T12:00:00Z").toEpochMilli();

    private KeyedOneInputStreamOperatorTestHarness<String, GroupInput, FlightPart> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = newHarness();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, GroupInput, FlightPart>
            newHarness() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, GroupInput, FlightPart> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new FeatureGroupFunction(FlightFeatures.standard())),
                        in -> in.key,
                        Types.STRING);
        h.open();
        return h;
    }

    /** The group inputs of a departure, as EventRouter builds them for the standard set. */
    private static List<GroupInput> departure(long id, long t, String origin, String dest) {
        FlightEvent e = FlightEvent.departure(id, t, origin, dest, 500);
        return List.of(
                new GroupInput("0|" + origin, 0, true, true, e),
                new GroupInput("1|" + dest, 1, false, true, e),
                new GroupInput("2|" + origin + ">" + dest, 2, false, true, e));
    }

    /** The group inputs of an arrival: it contributes to every group and queries none. */
    private static List<GroupInput> arrival(
            long id, long t, String origin, String dest, long delay) {
        FlightEvent e = FlightEvent.arrival(id, t, origin, dest, delay);
        return List.of(
                new GroupInput("0|" + origin, 0, true, false, e),
                new GroupInput("1|" + dest, 1, true, false, e),
                new GroupInput("2|" + origin + ">" + dest, 2, true, false, e));
    }

    private static void send(
            KeyedOneInputStreamOperatorTestHarness<String, GroupInput, FlightPart> h,
            List<GroupInput> inputs)
            throws Exception {
        for (GroupInput in : inputs) {
            h.processElement(in, in.event.time);
        }
    }

    private void send(List<GroupInput> inputs) throws Exception {
        send(harness, inputs);
    }

    /** The emitted group parts merged per flight id, as the join would. */
    private static Map<Long, double[]> merged(List<FlightPart> parts) {
        Map<Long, double[]> out = new TreeMap<>();
        for (FlightPart p : parts) {
            double[] v = out.computeIfAbsent(p.id, k -> nans());
            for (int i = 0; i < v.length; i++) {
                if (!Double.isNaN(p.values[i])) {
                    v[i] = p.values[i];
                }
            }
        }
        return out;
    }

    private static double[] nans() {
        double[] v = new double[6];
        java.util.Arrays.fill(v, NAN);
        return v;
    }

    @Test
    void emitsOnePartPerGroupOnceTheWatermarkPassesTheDeparture() throws Exception {
        send(departure(1, T, "ORD", "JFK"));

        harness.processWatermark(T - 1);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processWatermark(T);
        List<FlightPart> parts = harness.extractOutputValues();
        assertThat(parts).extracting(p -> p.kind).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(parts).allSatisfy(p -> assertThat(p.id).isEqualTo(1));
        assertThat(parts).allSatisfy(p -> assertThat(p.time).isEqualTo(T));
        FlightPart origin = parts.stream().filter(p -> p.kind == 0).findFirst().orElseThrow();
        // only the origin group's positions are set
        assertThat(origin.values).containsExactly(0.0, NAN, NAN, NAN, NAN, NAN);
        FlightPart dest = parts.stream().filter(p -> p.kind == 1).findFirst().orElseThrow();
        assertThat(dest.values).containsExactly(NAN, 0.0, NAN, NAN, NAN, NAN);
    }

    @Test
    void eventAtTMinusWindowCountsAndEventAtTDoesNot() throws Exception {
        send(departure(1, T - HOUR - MINUTE, "ORD", "JFK"));
        send(departure(2, T - HOUR, "ORD", "BOS"));
        send(arrival(10, T - HOUR - 1, "SFO", "JFK", 1000));
        send(arrival(11, T - HOUR, "SFO", "JFK", 20));
        send(arrival(12, T - 30 * MINUTE, "ORD", "JFK", 40));
        send(arrival(13, T, "ORD", "JFK", 1000));
        send(departure(3, T, "ORD", "JFK"));
        send(departure(4, T, "ORD", "JFK"));

        harness.processWatermark(T);
        Map<Long, double[]> v = merged(harness.extractOutputValues());

        // origin_dep_1h: flight 2 at T - 1h counts, flight 1 before it and 3/4 at T do not;
        // dest_arr_1h at JFK: 11 (at T - 1h) and 12; dest mean (20 + 40) / 2;
        // origin ORD 6h mean: 12 only; route ORD>JFK 7d mean: 12 only; daily: nothing yet today
        double[] expected = {1.0, 2.0, 40.0, 30.0, 40.0, NAN};
        assertThat(v.get(3L)).containsExactly(expected);
        assertThat(v.get(4L)).containsExactly(expected);
        assertThat(v.get(2L)).containsExactly(1.0, 0.0, NAN, NAN, NAN, NAN);
        assertThat(v.get(1L)).containsExactly(0.0, 0.0, NAN, NAN, NAN, NAN);
    }

    @Test
    void dailyFeatureSeesYesterdayButNotToday() throws Exception {
        long today = Math.floorDiv(T, DAY) * DAY;
        send(arrival(10, today - 30 * DAY, "ORD", "JFK", 10));
        send(arrival(11, today - 1, "ORD", "JFK", 20));
        send(arrival(12, today, "ORD", "JFK", 1000));
        send(departure(1, T, "ORD", "LAX"));

        harness.processWatermark(T);

        assertThat(merged(harness.extractOutputValues()).get(1L)[5]).isEqualTo(15.0);
    }

    @Test
    void tiesGiveTheSameAnswerInAnyInputOrder() throws Exception {
        List<GroupInput> inputs = new ArrayList<>();
        inputs.addAll(departure(1, T, "ORD", "JFK"));
        inputs.addAll(departure(2, T, "ORD", "JFK"));
        inputs.addAll(arrival(10, T, "ORD", "JFK", 500));
        inputs.addAll(arrival(11, T - MINUTE, "ORD", "JFK", 7));
        inputs.addAll(departure(3, T - MINUTE, "ORD", "JFK"));
        inputs.addAll(arrival(12, T - MINUTE, "ATL", "JFK", 9));

        send(inputs);
        harness.processWatermark(T + 40 * DAY);
        Map<Long, double[]> first = merged(harness.extractOutputValues());

        assertThat(first.get(1L)).containsExactly(1.0, 2.0, 7.0, 8.0, 7.0, NAN);
        assertThat(first.get(2L)).containsExactly(first.get(1L));
        assertThat(first.get(3L)).containsExactly(0.0, 0.0, NAN, NAN, NAN, NAN);

        for (long seed = 0; seed < 10; seed++) {
            List<GroupInput> shuffled = new ArrayList<>(inputs);
            Collections.shuffle(shuffled, new java.util.Random(seed));
            KeyedOneInputStreamOperatorTestHarness<String, GroupInput, FlightPart> other =
                    newHarness();
            try {
                send(other, shuffled);
                other.processWatermark(T + 40 * DAY);
                Map<Long, double[]> again = merged(other.extractOutputValues());
                assertThat(again.keySet()).isEqualTo(first.keySet());
                for (long id : first.keySet()) {
                    assertThat(again.get(id))
                            .as("seed %d, flight %d", seed, id)
                            .containsExactly(first.get(id));
                }
            } finally {
                other.close();
            }
        }
    }

    @Test
    void stateAndTimersReturnToZeroAfterTheLastWindowExpires() throws Exception {
        send(departure(1, T, "ORD", "JFK"));
        send(arrival(1, T + 2 * HOUR, "ORD", "JFK", 15));
        send(departure(2, T + 3 * HOUR, "ORD", "JFK"));

        harness.processWatermark(T + 3 * HOUR);
        assertThat(harness.extractOutputValues()).hasSize(6);
        // windows are still open: the arrival's 30-day daily window is the last to close
        assertThat(harness.numKeyedStateEntries()).isPositive();
        assertThat(harness.numEventTimeTimers()).isPositive();

        long lastClose = Math.floorDiv(T, DAY) * DAY + 31 * DAY;
        harness.processWatermark(lastClose - 1);
        assertThat(harness.numKeyedStateEntries()).isPositive();
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        harness.processWatermark(T + 40 * DAY);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.extractOutputValues()).hasSize(6);
    }

    @Test
    void lateEventCountsFromItsNotBeforeInstantOn() throws Exception {
        // the router saw the arrival at T - 30 min behind its watermark T - 10 min: queries up to
        // T - 10 min were answered without it, later ones must see it, as in a run without delay
        send(departure(1, T - 20 * MINUTE, "ORD", "JFK"));
        harness.processWatermark(T - 10 * MINUTE);
        FlightEvent e = FlightEvent.arrival(9, T - 30 * MINUTE, "SFO", "JFK", 40);
        for (GroupInput in : arrival(9, e.time, "SFO", "JFK", 40)) {
            in.notBefore = T - 10 * MINUTE + 1;
            harness.processElement(in, in.event.time);
        }
        send(departure(2, T, "ORD", "JFK"));
        harness.processWatermark(T);

        Map<Long, double[]> v = merged(harness.extractOutputValues());
        // flight 1 (answered before the arrival came) without it; flight 2 with it
        assertThat(v.get(1L)[1]).isEqualTo(0.0);
        assertThat(v.get(2L)[1]).isEqualTo(1.0);
        assertThat(v.get(2L)[3]).isEqualTo(40.0);
    }

    @Test
    void lateEventWhoseWindowsClosedBeforeNotBeforeLeavesNoState() throws Exception {
        harness.processWatermark(T);
        for (GroupInput in : arrival(9, T - 8 * DAY, "SFO", "JFK", 40)) {
            in.notBefore = T + 1;
            harness.processElement(in, in.event.time);
        }
        // the 7-day route window and the 1h/6h windows closed long ago; only the 30-day daily
        // window of SFO is still open: its add moved to T + 1 and its remove, nothing else
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
    }
}
