package dev.parity.features.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.EventType;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.FlightFeatures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The engine-neutral algorithm, driven by a map-backed store and a sorted clock. */
class GroupEvaluatorTest {
    private static final FeatureSet SET = FlightFeatures.standard();
    private static final FeatureGroup ORIGIN = FeatureGroup.plan(SET).get(0);
    private static final int DEP_1H = SET.indexOf("origin_dep_1h");
    private static final int DELAY_6H = SET.indexOf("origin_delay_mean_6h");
    private static final int DELAY_30D = SET.indexOf("origin_delay_mean_30d_daily");
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long T = 40 * DAY + 9 * HOUR; // 09:00 UTC on some day

    private final GroupEvaluator evaluator =
            new GroupEvaluator(ORIGIN, SET.windowFeatures().size());

    @Test
    void theOriginGroupHoldsTheThreeOriginFeatures() {
        assertThat(ORIGIN.key().label()).isEqualTo("origin");
        assertThat(ORIGIN.size()).isEqualTo(3);
        assertThat(ORIGIN.consumes(EventType.DEPARTURE)).isTrue();
        assertThat(ORIGIN.consumes(EventType.ARRIVAL)).isTrue();
    }

    @Test
    void dailyWindowSeesOnlyWholeDaysBeforeTodayAndThirtyOfThem() throws Exception {
        TestingGroupStore store = new TestingGroupStore();
        long today = Math.floorDiv(T, DAY) * DAY;
        evaluator.onEvent(EventType.ARRIVAL, today - 1, 10, store); // yesterday 23:59:59.999: in
        evaluator.onEvent(EventType.ARRIVAL, today + HOUR, 1000, store); // today: out
        evaluator.onEvent(EventType.ARRIVAL, today - 30 * DAY, 20, store); // day(t) - 30d: in
        evaluator.onEvent(EventType.ARRIVAL, today - 30 * DAY - 1, 5000, store); // before: out
        evaluator.onQuery(1, T, store);

        Map<Long, double[]> answers = store.runAll(evaluator);

        assertThat(answers.get(1L)[DELAY_30D]).isEqualTo(15.0);
    }

    @Test
    void theAnswerDoesNotDependOnTheOrderEventsArrive() throws Exception {
        Random random = new Random(42);
        List<long[]> events = new ArrayList<>(); // {type, time, delay}
        for (int i = 0; i < 400; i++) {
            long time = T - random.nextInt((int) (8 * HOUR / 60_000)) * 60_000L;
            events.add(new long[] {random.nextInt(2), time, random.nextInt(200) - 50});
        }
        Map<Long, double[]> first = null;
        for (int round = 0; round < 5; round++) {
            Collections.shuffle(events, random);
            TestingGroupStore store = new TestingGroupStore();
            for (long[] e : events) {
                evaluator.onEvent(EventType.values()[(int) e[0]], e[1], e[2], store);
            }
            for (long q = 0; q < 8; q++) {
                evaluator.onQuery(q, T - q * HOUR, store);
            }
            Map<Long, double[]> answers = store.runAll(evaluator);
            if (first == null) {
                first = answers;
                // and against a direct count for the latest query
                long deps =
                        events.stream()
                                .filter(e -> e[0] == 0 && e[1] >= T - HOUR && e[1] < T)
                                .count();
                assertThat(answers.get(0L)[DEP_1H]).isEqualTo((double) deps);
            } else {
                for (long q = 0; q < 8; q++) {
                    assertThat(answers.get(q)).containsExactly(first.get(q));
                }
            }
        }
    }

    @Test
    void allStateIsGoneOnceEveryWindowHasExpired() throws Exception {
        TestingGroupStore store = new TestingGroupStore();
        evaluator.onEvent(EventType.ARRIVAL, T - HOUR, 12, store);
        evaluator.onEvent(EventType.DEPARTURE, T - HOUR, 0, store);
        evaluator.onQuery(1, T, store);

        Map<Long, double[]> answers = store.runAll(evaluator);

        assertThat(answers.get(1L)[DELAY_6H]).isEqualTo(12.0);
        assertThat(store.pending).isEmpty();
        assertThat(store.queries).isEmpty();
        assertThat(store.running).isNull();
    }

    /** Keyed state of one key in maps; {@link #runAll} plays the engine's event-time clock. */
    static final class TestingGroupStore implements GroupEvaluator.Store {
        final Map<Long, WindowAggregates> pending = new HashMap<>();
        final Map<Long, long[]> queries = new HashMap<>();
        final TreeSet<Long> timers = new TreeSet<>();
        WindowAggregates running;

        Map<Long, double[]> runAll(GroupEvaluator evaluator) throws Exception {
            Map<Long, double[]> answers = new TreeMap<>();
            while (!timers.isEmpty()) {
                long t = timers.pollFirst();
                evaluator.advanceTo(t, this, (id, at, values) -> answers.put(id, values.clone()));
            }
            return answers;
        }

        @Override
        public WindowAggregates pendingAt(long t) {
            return pending.get(t);
        }

        @Override
        public void putPending(long t, WindowAggregates changes) {
            pending.put(t, changes);
        }

        @Override
        public void removePending(long t) {
            pending.remove(t);
        }

        @Override
        public long[] queriesAt(long t) {
            return queries.get(t);
        }

        @Override
        public void putQueries(long t, long[] ids) {
            queries.put(t, ids);
        }

        @Override
        public void removeQueries(long t) {
            queries.remove(t);
        }

        @Override
        public WindowAggregates running() {
            return running;
        }

        @Override
        public void putRunning(WindowAggregates value) {
            running = value;
        }

        @Override
        public void clearRunning() {
            running = null;
        }

        @Override
        public void scheduleAt(long t) {
            timers.add(t);
        }
    }
}
