package dev.parity.features.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.FlightFeatures;
import dev.parity.features.events.FlightEvent;
import dev.parity.features.reference.NaiveSnapshotReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * Daily snapshots against {@link NaiveSnapshotReference} (examples/flights/README.md, recomputed
 * from scratch). Hand-made events on a half-hour grid, so events fall exactly on midnights and on
 * window edges; a 40-day gap checks that an entity's snapshots stop when its windows run dry.
 */
class SnapshotFunctionTest {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long START = Instant.parse("2001-01-01T00:00:00Z").toEpochMilli();

    private static List<FlightEvent> handMadeEvents() {
        List<FlightEvent> events = new ArrayList<>();
        String[] airports = {"AAA", "BBB", "CCC"};
        Random random = new Random(7);
        long id = 0;
        for (int i = 0; i < 120; i++) {
            // days 0-9 busy, then one flight on day 50 (after a 40-day gap)
            long dep = START + random.nextInt(10 * 48) * 30 * MINUTE;
            if (i == 119) {
                dep = START + 50 * DAY;
            }
            String o = airports[random.nextInt(3)];
            String d = airports[(List.of(airports).indexOf(o) + 1 + random.nextInt(2)) % 3];
            long delay = random.nextInt(90) - 20;
            // arrivals on the grid as well, some exactly at a midnight
            long arr = dep + (1 + random.nextInt(8)) * 30 * MINUTE;
            events.add(FlightEvent.departure(id, dep, o, d, 500));
            events.add(FlightEvent.arrival(id, arr, o, d, delay));
            id++;
        }
        events.add(FlightEvent.departure(id, START + 3 * DAY, "AAA", "BBB", 500));
        events.add(FlightEvent.arrival(id, START + 4 * DAY, "AAA", "BBB", 42));
        return events;
    }

    @Test
    void snapshotsEqualTheNaiveReferenceAndStateReturnsToZero() throws Exception {
        List<FlightEvent> events = handMadeEvents();
        DailySnapshots.Route route = new DailySnapshots.Route(FlightFeatures.standard());
        route.open((OpenContext) null);
        List<GroupInput> inputs = new ArrayList<>();
        for (FlightEvent e : events) {
            route.flatMap(
                    e,
                    new Collector<>() {
                        @Override
                        public void collect(GroupInput in) {
                            inputs.add(in);
                        }

                        @Override
                        public void close() {}
                    });
        }
        Map<String, Double> actual = new TreeMap<>();
        try (KeyedOneInputStreamOperatorTestHarness<String, GroupInput, FeatureSnapshot> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new SnapshotFunction(FlightFeatures.standard())),
                        in -> in.key,
                        Types.STRING)) {
            h.open();
            // BATCH-like: all input first, then every timer in timestamp order
            for (GroupInput in : inputs) {
                h.processElement(in, in.event.time);
            }
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            for (FeatureSnapshot s : h.extractOutputValues()) {
                String k =
                        s.entity
                                + "|"
                                + Instant.ofEpochMilli(s.day).toString().substring(0, 10)
                                + "|"
                                + s.feature;
                assertThat(actual.put(k, s.value)).as("duplicate %s", k).isNull();
            }
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
        Map<String, Double> expected =
                NaiveSnapshotReference.snapshots(events, START, START + 120 * DAY, e -> true);
        assertThat(expected).hasSizeGreaterThan(500);
        // the day-50 flight's entities get snapshots again after the gap
        assertThat(expected.keySet()).anyMatch(k -> k.contains("|2001-02-21|"));
        assertThat(actual).isEqualTo(expected);
    }
}
