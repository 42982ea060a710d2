package dev.parity.tests.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.FlightFeatures;
import dev.parity.features.events.FlightEvent;
import dev.parity.features.flink.DailySnapshots;
import dev.parity.features.flink.FeatureSnapshot;
import dev.parity.features.reference.NaiveSnapshotReference;
import dev.parity.jobs.LocalFlink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link DailySnapshots} on a MiniCluster in BATCH and in STREAMING mode, at parallelism 1 and 3,
 * equals the naive recomputation. The operator-harness test runs STREAMING's timer service only;
 * BATCH's differs (it drops timers registered while firing timers), which is why this exists.
 */
class DailySnapshotsModesITCase {
    private static final long MINUTE = 60_000L;
    private static final long DAY = 24 * 60 * MINUTE;
    private static final long START = Instant.parse("2001-01-01T00:00:00Z").toEpochMilli();

    /** Flights on a half-hour grid over 10 days among four airports, plus one after a gap. */
    private static List<FlightEvent> events() {
        String[] airports = {"AAA", "BBB", "CCC", "DDD"};
        Random random = new Random(11);
        List<FlightEvent> events = new ArrayList<>();
        for (long id = 0; id < 300; id++) {
            long dep = START + random.nextInt(10 * 48) * 30 * MINUTE;
            if (id == 299) {
                dep = START + 45 * DAY;
            }
            String o = airports[random.nextInt(4)];
            String d = airports[(List.of(airports).indexOf(o) + 1 + random.nextInt(3)) % 4];
            long arr = dep + (1 + random.nextInt(10)) * 30 * MINUTE;
            events.add(FlightEvent.departure(id, dep, o, d, 400));
            events.add(FlightEvent.arrival(id, arr, o, d, random.nextInt(120) - 30));
        }
        events.sort(
                Comparator.comparingLong((FlightEvent e) -> e.time).thenComparingLong(e -> e.id));
        return events;
    }

    @ParameterizedTest
    @CsvSource({"BATCH,1", "BATCH,3", "STREAMING,1", "STREAMING,3"})
    void snapshotsEqualTheNaiveReference(RuntimeExecutionMode mode, int parallelism)
            throws Exception {
        List<FlightEvent> events = events();
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        LocalFlink.configuration(mode, true));
        env.setParallelism(parallelism);
        Map<String, Double> actual = new TreeMap<>();
        try (CloseableIterator<FeatureSnapshot> it =
                DailySnapshots.apply(
                                env.fromData(
                                                TypeInformation.of(FlightEvent.class),
                                                events.toArray(new FlightEvent[0]))
                                        .setParallelism(1)
                                        .assignTimestampsAndWatermarks(
                                                WatermarkStrategy
                                                        .<FlightEvent>forBoundedOutOfOrderness(
                                                                Duration.ZERO)
                                                        .withTimestampAssigner((e, t) -> e.time))
                                        .setParallelism(1),
                                FlightFeatures.standard(),
                                "snapshots-")
                        .executeAndCollect()) {
            while (it.hasNext()) {
                FeatureSnapshot s = it.next();
                String k =
                        s.entity
                                + "|"
                                + Instant.ofEpochMilli(s.day).toString().substring(0, 10)
                                + "|"
                                + s.feature;
                assertThat(actual.put(k, s.value)).as("duplicate %s", k).isNull();
            }
        }
        Map<String, Double> expected =
                NaiveSnapshotReference.snapshots(events, START, START + 90 * DAY, e -> true);
        assertThat(expected).hasSizeGreaterThan(500);
        assertThat(actual).isEqualTo(expected);
    }
}
