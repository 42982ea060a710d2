package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.spec.BundledSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GroupFunction} on the flights spec, in the operator harness: what it emits and when, the
 * window bounds of docs/SPEC.md, order independence, late events applied from their {@code
 * notBefore} instant, and keyed state and timers returning to zero once the last window closes.
 *
 * <p>The flights spec has three key groups, in the order their keys first appear: 0 = {@code
 * [origin]} (origin_dep_1h, origin_delay_mean_6h, origin_delay_mean_30d_daily), 1 = {@code [dest]}
 * (dest_arr_1h, dest_delay_mean_1h), 2 = {@code [origin, dest]} (route_delay_mean_7d). Rows below
 * are in feature (spec) order: the three counts-and-means of the table in docs/SPEC.md.
 */
class SpecGroupFunctionTest {
    private static final SpecPlan PLAN = SpecPlan.of(BundledSpec.flights());
    private static final int DEPARTURE = PLAN.kind("departure").index();
    private static final int ARRIVAL = PLAN.kind("arrival").index();

    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    /** A Wednesday, 12:00 UTC. */
    private static final long T = Instant.parse("2001-01-10T12:00:00Z").toEpochMilli();

    private static final long TODAY = Instant.parse("2001-01-10T00:00:00Z").toEpochMilli();

    private KeyedOneInputStreamOperatorTestHarness<String, RoutedEvent, VectorPart> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = newHarness(null);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, RoutedEvent, VectorPart>
            newHarness(OperatorSubtaskState restoreFrom) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, RoutedEvent, VectorPart> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new GroupFunction(PLAN)),
                        in -> in.key,
                        Types.STRING);
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    private static EventRow departure(long id, long t, String origin, String dest) {
        return new EventRow(DEPARTURE, id, t, new Object[] {id, t, origin, dest, 500L});
    }

    private static EventRow arrival(long id, long t, String origin, String dest, long delay) {
        return new EventRow(ARRIVAL, id, t, new Object[] {id, t, origin, dest, delay});
    }

    /**
     * The group inputs of {@code e} as the router sends them (SpecRouterTest checks the router does
     * exactly this): to every group that aggregates its kind, and, for a query on time, to every
     * group. A late event ({@code notBefore} set) is no query any more.
     */
    private static List<RoutedEvent> routed(EventRow e, long notBefore) {
        boolean query = e.kind == DEPARTURE && notBefore == Long.MIN_VALUE;
        List<RoutedEvent> out = new ArrayList<>();
        for (SpecPlan.Group g : PLAN.groups()) {
            boolean contributes = g.consumes(e.kind);
            if (contributes || query) {
                out.add(new RoutedEvent(g.keyOf(e), g.index(), contributes, query, notBefore, e));
            }
        }
        return out;
    }

    private static List<RoutedEvent> routed(EventRow e) {
        return routed(e, Long.MIN_VALUE);
    }

    private static void send(
            KeyedOneInputStreamOperatorTestHarness<String, RoutedEvent, VectorPart> h,
            List<RoutedEvent> inputs)
            throws Exception {
        for (RoutedEvent in : inputs) {
            h.processElement(in, in.event.time);
        }
    }

    private void send(EventRow e) throws Exception {
        send(harness, routed(e));
    }

    /** The groups' parts merged per query id into the six features, in spec order, as the join. */
    private static Map<Long, Object[]> rows(List<VectorPart> parts) {
        Map<Long, Object[]> out = new TreeMap<>();
        Map<Long, List<Integer>> seen = new TreeMap<>();
        for (VectorPart p : parts) {
            assertThat(seen.computeIfAbsent(p.id, k -> new ArrayList<>()))
                    .as("one part per group for query %d", p.id)
                    .doesNotContain(p.part);
            seen.get(p.id).add(p.part);
            SpecPlan.Group g = PLAN.groups().get(p.part);
            Object[] row = out.computeIfAbsent(p.id, k -> new Object[PLAN.features().size()]);
            for (int s = 0; s < g.size(); s++) {
                row[g.slot(s).feature()] = p.values[s];
            }
        }
        return out;
    }

    @Test
    void emitsOnePartPerGroupOnceTheWatermarkPassesTheQuery() throws Exception {
        send(departure(1, T, "ORD", "JFK"));

        harness.processWatermark(T - 1);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processWatermark(T);
        List<VectorPart> parts = harness.extractOutputValues();
        assertThat(parts).extracting(p -> p.part).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(parts)
                .allSatisfy(
                        p -> {
                            assertThat(p.id).isEqualTo(1);
                            assertThat(p.time).isEqualTo(T);
                        });
        // each part holds its group's values in group slot order: empty windows, 0 for a count
        // and null for a mean (the departure itself at T does not count)
        assertThat(part(parts, 0).values).containsExactly(0L, null, null);
        assertThat(part(parts, 1).values).containsExactly(0L, null);
        assertThat(part(parts, 2).values).containsExactly((Object) null);
    }

    private static VectorPart part(List<VectorPart> parts, int group) {
        return parts.stream().filter(p -> p.part == group).findFirst().orElseThrow();
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
        Map<Long, Object[]> rows = rows(harness.extractOutputValues());

        // origin_dep_1h at ORD: flight 2 at T - 1h counts, flight 1 before it and 3, 4 at T do
        // not; dest_arr_1h at JFK: 11 (at T - 1h) and 12, not 10 (1 ms earlier) nor 13 (at T);
        // dest mean (20 + 40) / 2; ORD 6h mean and ORD>JFK 7d mean: 12 only; daily: today's
        // arrivals are not in it yet
        Object[] expected = {1L, 2L, 40.0, 30.0, 40.0, null};
        assertThat(rows).containsOnlyKeys(1L, 2L, 3L, 4L);
        assertThat(rows.get(3L)).containsExactly(expected);
        assertThat(rows.get(4L)).containsExactly(expected);
        // flight 2 at T - 1h sees flight 1 (at T - 1h - 1 min) and no arrival at BOS or from ORD
        assertThat(rows.get(2L)).containsExactly(1L, 0L, null, null, null, null);
        // flight 1: arrival 10 at JFK is 59 min after it, so nothing yet
        assertThat(rows.get(1L)).containsExactly(0L, 0L, null, null, null, null);
    }

    @Test
    void dailyFeatureSeesTheLastNDaysButNotToday() throws Exception {
        send(arrival(9, TODAY - 30 * DAY - 1, "ORD", "JFK", 5000));
        send(arrival(10, TODAY - 30 * DAY, "ORD", "JFK", 10));
        send(arrival(11, TODAY - 1, "ORD", "JFK", 20));
        send(arrival(12, TODAY, "ORD", "JFK", 1000));
        send(departure(1, T, "ORD", "LAX"));

        harness.processWatermark(T);

        // [day(t) - 30 d, day(t)): 10 and 11, not 9 (1 ms before) nor 12 (at today's midnight)
        assertThat(rows(harness.extractOutputValues()).get(1L)[5]).isEqualTo(15.0);
    }

    @Test
    void tiesGiveTheSameAnswerInAnyInputOrder() throws Exception {
        List<RoutedEvent> inputs = new ArrayList<>();
        inputs.addAll(routed(departure(1, T, "ORD", "JFK")));
        inputs.addAll(routed(departure(2, T, "ORD", "JFK")));
        inputs.addAll(routed(arrival(10, T, "ORD", "JFK", 500)));
        inputs.addAll(routed(arrival(11, T - MINUTE, "ORD", "JFK", 7)));
        inputs.addAll(routed(departure(3, T - MINUTE, "ORD", "JFK")));
        inputs.addAll(routed(arrival(12, T - MINUTE, "ATL", "JFK", 9)));

        send(harness, inputs);
        harness.processWatermark(T + 40 * DAY);
        Map<Long, Object[]> first = rows(harness.extractOutputValues());

        // flights 1 and 2 at T: departure 3 and arrivals 11, 12 (at T - 1 min) count, the ones at
        // T do not; flight 3 at T - 1 min sees nothing
        assertThat(first.get(1L)).containsExactly(1L, 2L, 7.0, 8.0, 7.0, null);
        assertThat(first.get(2L)).containsExactly(first.get(1L));
        assertThat(first.get(3L)).containsExactly(0L, 0L, null, null, null, null);

        for (long seed = 0; seed < 10; seed++) {
            List<RoutedEvent> shuffled = new ArrayList<>(inputs);
            Collections.shuffle(shuffled, new Random(seed));
            KeyedOneInputStreamOperatorTestHarness<String, RoutedEvent, VectorPart> other =
                    newHarness(null);
            try {
                send(other, shuffled);
                other.processWatermark(T + 40 * DAY);
                Map<Long, Object[]> again = rows(other.extractOutputValues());
                assertThat(again.keySet()).isEqualTo(first.keySet());
                for (long id : first.keySet()) {
                    assertThat(again.get(id))
                            .as("seed %d, query %d", seed, id)
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

        // the arrival leaves the daily window of every query from day(T) + 31 d on
        long lastClose = TODAY + 31 * DAY;
        harness.processWatermark(lastClose - 1);
        assertThat(harness.numKeyedStateEntries()).isPositive();
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        harness.processWatermark(lastClose);
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
        EventRow late = arrival(9, T - 30 * MINUTE, "SFO", "JFK", 40);
        send(harness, routed(late, T - 10 * MINUTE + 1));
        send(departure(2, T, "ORD", "JFK"));
        harness.processWatermark(T);
        Map<Long, Object[]> rows = rows(harness.extractOutputValues());

        // flight 1 (answered before the arrival came) without it; flight 2 with it
        assertThat(rows.get(1L)[1]).isEqualTo(0L);
        assertThat(rows.get(2L)[1]).isEqualTo(1L);
        assertThat(rows.get(2L)[3]).isEqualTo(40.0);

        // and flight 2's row is exactly the one of a run where the arrival was on time
        KeyedOneInputStreamOperatorTestHarness<String, RoutedEvent, VectorPart> onTime =
                newHarness(null);
        try {
            send(onTime, routed(departure(1, T - 20 * MINUTE, "ORD", "JFK")));
            send(onTime, routed(late));
            send(onTime, routed(departure(2, T, "ORD", "JFK")));
            onTime.processWatermark(T);
            Map<Long, Object[]> exact = rows(onTime.extractOutputValues());
            assertThat(rows.get(2L)).containsExactly(exact.get(2L));
            assertThat(exact.get(1L)[1]).as("the on-time run differs for flight 1").isEqualTo(1L);
        } finally {
            onTime.close();
        }
    }

    @Test
    void lateEventWhoseWindowsClosedBeforeNotBeforeLeavesNoState() throws Exception {
        harness.processWatermark(T);
        send(harness, routed(arrival(9, T - 8 * DAY, "SFO", "JFK", 40), T + 1));

        // the 7-day route window and the 1h/6h windows closed long ago; only the 30-day daily
        // window of SFO is still open: its add moved to T + 1 and its remove, and one key (SFO's
        // pending changes) holds state
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        harness.processWatermark(TODAY - 8 * DAY + 31 * DAY);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.extractOutputValues()).isEmpty();
    }

    @Test
    void restoredStateAnswersAsTheUninterruptedRun() throws Exception {
        send(arrival(10, T - 2 * DAY, "ORD", "JFK", 11));
        send(arrival(11, T - 30 * MINUTE, "ORD", "JFK", 40));
        send(departure(3, T - 20 * MINUTE, "ORD", "JFK"));
        harness.processWatermark(T - HOUR);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        send(departure(1, T, "ORD", "JFK"));
        harness.processWatermark(T);
        Map<Long, Object[]> uninterrupted = rows(harness.extractOutputValues());
        // 3 and 11 in the 1h windows; 10 and 11 in the 7d route window; 10 in the daily one
        assertThat(uninterrupted.get(1L)).containsExactly(1L, 1L, 40.0, 40.0, 25.5, 11.0);

        KeyedOneInputStreamOperatorTestHarness<String, RoutedEvent, VectorPart> restored =
                newHarness(snapshot);
        try {
            send(restored, routed(departure(1, T, "ORD", "JFK")));
            restored.processWatermark(T);
            Map<Long, Object[]> again = rows(restored.extractOutputValues());
            assertThat(again.keySet()).isEqualTo(uninterrupted.keySet());
            for (long id : again.keySet()) {
                assertThat(again.get(id)).as("query %d", id).containsExactly(uninterrupted.get(id));
            }
        } finally {
            restored.close();
        }
    }
}
