package dev.parity.features.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.EventType;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.FlightFeatures;
import dev.parity.features.api.KeySpec;
import dev.parity.features.events.EventExpansion;
import dev.parity.features.events.FlightEvent;
import dev.parity.features.events.FlightRow;
import dev.parity.features.io.FeatureCsv;
import dev.parity.features.reference.NaiveFeatureReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class GroupEvaluatorTest {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final double NAN = Double.NaN;

    /** A Wednesday noon. */
    private static final long T = Instant.parse("2001-01-10T12:00:00Z").toEpochMilli();

    private final FeatureSet set = FlightFeatures.standard();
    private final List<FeatureGroup> groups = FeatureGroup.plan(set);
    private final GroupEvaluator origin = new GroupEvaluator(groups.get(0), 6);
    private final GroupEvaluator dest = new GroupEvaluator(groups.get(1), 6);

    private final TestingGroupStore store = new TestingGroupStore();
    private final TestingGroupStore.RecordingAnswers answers =
            new TestingGroupStore.RecordingAnswers();

    private void departure(GroupEvaluator e, long id, long t) throws Exception {
        e.onEvent(EventType.DEPARTURE, t, 0, store);
        e.onQuery(id, t, store);
    }

    private void arrival(GroupEvaluator e, long t, long delay) throws Exception {
        e.onEvent(EventType.ARRIVAL, t, delay, store);
    }

    private void advance(GroupEvaluator e, long watermark) throws Exception {
        store.advanceTo(watermark, e, answers);
    }

    @Test
    void planGroupsTheStandardSetByKey() {
        assertThat(groups)
                .extracting(FeatureGroup::key)
                .containsExactly(KeySpec.ORIGIN, KeySpec.DEST, KeySpec.ROUTE);
        assertThat(groups).extracting(FeatureGroup::index).containsExactly(0, 1, 2);
        assertThat(setIndices(groups.get(0))).containsExactly(0, 2, 5);
        assertThat(setIndices(groups.get(1))).containsExactly(1, 3);
        assertThat(setIndices(groups.get(2))).containsExactly(4);
        assertThat(groups.get(0).consumes(EventType.DEPARTURE)).isTrue();
        assertThat(groups.get(0).consumes(EventType.ARRIVAL)).isTrue();
        assertThat(groups.get(1).consumes(EventType.DEPARTURE)).isFalse();
        assertThat(groups.get(2).consumes(EventType.DEPARTURE)).isFalse();
        assertThat(groups.get(0).horizonMillis()).isEqualTo(31 * DAY);
        assertThat(groups.get(1).horizonMillis()).isEqualTo(HOUR + 1);
    }

    private static List<Integer> setIndices(FeatureGroup g) {
        List<Integer> out = new ArrayList<>();
        for (int s = 0; s < g.size(); s++) {
            out.add(g.setIndex(s));
        }
        return out;
    }

    @Test
    void anArrivalSchedulesItsAddsAndRemoves() throws Exception {
        long ts = T + 7 * MINUTE;
        arrival(origin, ts, 5);

        long day = Math.floorDiv(ts, DAY) * DAY;
        assertThat(store.timers)
                .containsExactly(ts + 1, ts + 6 * HOUR + 1, day + DAY, day + 31 * DAY);
        assertThat(store.pending.get(ts + 1).counts).containsExactly(0, 1, 0);
        assertThat(store.pending.get(ts + 1).sums).containsExactly(0, 5, 0);
        assertThat(store.pending.get(day + 31 * DAY).counts).containsExactly(0, 0, -1);
        assertThat(store.pending.get(day + 31 * DAY).sums).containsExactly(0, 0, -5);
    }

    @Test
    void departuresDoNotTouchAGroupThatOnlyReadsArrivals() throws Exception {
        dest.onEvent(EventType.DEPARTURE, T, 0, store);

        assertThat(store.scheduled).isEmpty();
        assertThat(store.isEmpty()).isTrue();
    }

    @Test
    void eventAtTMinusWindowCountsAndEventAtTDoesNot() throws Exception {
        departure(origin, 1, T - HOUR - MINUTE);
        departure(origin, 2, T - HOUR);
        departure(origin, 3, T - 1);
        departure(origin, 4, T);

        advance(origin, T + DAY);

        // flight 4 at T sees 2 (at exactly T - 1h) and 3, not 1 (before T - 1h) nor itself
        assertThat(answers.values.get(4L)[0]).isEqualTo(2.0);
        // flight 3 at T - 1ms sees 2 only: flight 1 is before (T - 1ms) - 1h
        assertThat(answers.values.get(3L)[0]).isEqualTo(1.0);
        // flight 2 at T - 1h sees 1, one minute earlier
        assertThat(answers.values.get(2L)[0]).isEqualTo(1.0);
        assertThat(answers.values.get(1L)[0]).isEqualTo(0.0);
        assertThat(answers.times).containsEntry(4L, T).containsEntry(1L, T - HOUR - MINUTE);
    }

    @Test
    void slidingMeanBoundaries() throws Exception {
        arrival(origin, T - 6 * HOUR - 1, 1000);
        arrival(origin, T - 6 * HOUR, 10);
        arrival(origin, T - 3 * HOUR, 21);
        arrival(origin, T, 1000);
        origin.onQuery(1, T, store);

        advance(origin, T + 40 * DAY);

        assertThat(answers.values.get(1L)[2]).isEqualTo(15.5);
    }

    @Test
    void dailyMeanSeesThePreviousThirtyDaysOnly() throws Exception {
        long today = Math.floorDiv(T, DAY) * DAY;
        arrival(origin, today - 30 * DAY - 1, 7); // 31 days ago, 23:59:59.999: out
        arrival(origin, today - 30 * DAY, 100); // exactly day(t) - 30d: in
        arrival(origin, today - 1, 50); // yesterday 23:59:59.999: in
        arrival(origin, today, 1000); // today: out, even though before t
        arrival(origin, T - 7 * HOUR, 1000); // today: out
        origin.onQuery(1, T, store);

        advance(origin, T + 40 * DAY);

        double[] v = answers.values.get(1L);
        assertThat(v[5]).isEqualTo(75.0);
        // the 6h mean sees none of them
        assertThat(v[2]).isNaN();
    }

    @Test
    void emptyWindowsGiveZeroCountsAndNullMeans() throws Exception {
        origin.onQuery(1, T, store);

        advance(origin, T - 1);
        assertThat(answers.values).isEmpty();
        advance(origin, T);

        assertThat(answers.values.get(1L)).containsExactly(0.0, NAN, NAN, NAN, NAN, NAN);
        assertThat(store.isEmpty()).as("%s", store).isTrue();
    }

    @Test
    void valuesOnlyFillTheGroupsPositions() throws Exception {
        arrival(dest, T - 10 * MINUTE, 4);
        arrival(dest, T - 20 * MINUTE, -1);
        dest.onQuery(9, T, store);

        advance(dest, T);

        assertThat(answers.values.get(9L)).containsExactly(NAN, 2.0, NAN, 1.5, NAN, NAN);
    }

    @Test
    void tiesGiveTheSameAnswerInAnyArrivalOrder() throws Exception {
        // at T: three departures (each querying) and two arrivals; at T - 1min: one of each
        List<Op> ops =
                List.of(
                        s -> departure(origin, 1, T, s),
                        s -> departure(origin, 2, T, s),
                        s -> departure(origin, 3, T, s),
                        s -> origin.onEvent(EventType.ARRIVAL, T, 99, s),
                        s -> origin.onEvent(EventType.ARRIVAL, T, 77, s),
                        s -> departure(origin, 4, T - MINUTE, s),
                        s -> origin.onEvent(EventType.ARRIVAL, T - MINUTE, 8, s));
        double[] expectedAtT = {1.0, NAN, 8.0, NAN, NAN, NAN};
        double[] expectedBefore = {0.0, NAN, NAN, NAN, NAN, NAN};

        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            List<Op> order = new ArrayList<>(ops);
            if (round == 1) {
                Collections.reverse(order);
            } else if (round > 1) {
                Collections.shuffle(order, random);
            }
            TestingGroupStore s = new TestingGroupStore();
            TestingGroupStore.RecordingAnswers a = new TestingGroupStore.RecordingAnswers();
            for (Op op : order) {
                op.run(s);
            }
            s.advanceTo(T + 40 * DAY, origin, a);

            for (long id = 1; id <= 3; id++) {
                assertThat(a.values.get(id))
                        .as("round %d, flight %d", round, id)
                        .containsExactly(expectedAtT);
            }
            assertThat(a.values.get(4L)).as("round %d", round).containsExactly(expectedBefore);
            assertThat(s.isEmpty()).as("round %d", round).isTrue();
        }
    }

    /** One step of a tie scenario, applied to a fresh store. */
    @FunctionalInterface
    private interface Op {
        void run(TestingGroupStore s) throws Exception;
    }

    private static void departure(GroupEvaluator e, long id, long t, TestingGroupStore s)
            throws Exception {
        e.onEvent(EventType.DEPARTURE, t, 0, s);
        e.onQuery(id, t, s);
    }

    @Test
    void stateIsEmptyAfterTheLastWindowExpires() throws Exception {
        long today = Math.floorDiv(T, DAY) * DAY;
        departure(origin, 1, T);
        arrival(origin, T + 30 * MINUTE, 12);
        departure(origin, 2, T + HOUR);

        advance(origin, T + HOUR);
        assertThat(answers.values).containsOnlyKeys(1L, 2L);
        assertThat(answers.values.get(2L)).containsExactly(1.0, NAN, 12.0, NAN, NAN, NAN);
        // still inside the windows: running aggregates are kept
        assertThat(store.running).isNotNull();
        assertThat(store.queries).isEmpty();

        // the 30-day daily window of the arrival is the last to close
        advance(origin, today + 31 * DAY - 1);
        assertThat(store.running).isNotNull();
        assertThat(store.timers).containsExactly(today + 31 * DAY);

        advance(origin, today + 31 * DAY);
        assertThat(store.isEmpty()).as("%s", store).isTrue();
    }

    @Test
    void matchesTheNaiveReferenceInAnyEventOrder() throws Exception {
        List<FlightRow> rows = randomRows(new Random(42), 600);
        assertExercisesBoundaries(rows);
        List<String> expected = NaiveFeatureReference.trainingFile(rows);

        for (long seed = 0; seed < 5; seed++) {
            List<String> actual = engineTrainingFile(rows, new Random(seed));
            assertThat(actual).as("shuffle %d", seed).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(actual.get(i))
                        .as("shuffle %d, line %d", seed, i)
                        .isEqualTo(expected.get(i));
            }
        }
        // the reference is not trivially empty: every column has a value somewhere
        for (int col = 7; col <= 12; col++) {
            int c = col;
            assertThat(expected.subList(1, expected.size()))
                    .as("column %d", col)
                    .anyMatch(
                            l ->
                                    !l.split(",", -1)[c].isEmpty()
                                            && !l.split(",", -1)[c].equals("0"));
        }
    }

    /** Airports and times on coarse grids, so that ties and exact window boundaries are common. */
    private static List<FlightRow> randomRows(Random r, int n) {
        String[] airports = {"ATL", "ORD", "SFO"};
        long start = Instant.parse("2001-01-01T00:00:00Z").toEpochMilli();
        List<FlightRow> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String o = airports[r.nextInt(airports.length)];
            String d = airports[r.nextInt(airports.length)];
            long dep = start + r.nextInt(45 * 24 * 2) * 30 * MINUTE;
            long distance = 8L * r.nextInt(300);
            long delay = r.nextInt(240) - 60;
            rows.add(new FlightRow(i, dep, delay, distance, o, d));
        }
        return rows;
    }

    private static void assertExercisesBoundaries(List<FlightRow> rows) {
        Set<String> deps = new HashSet<>();
        for (FlightRow r : rows) {
            deps.add(r.origin + r.depTime);
        }
        long exactlyOneHourBefore =
                rows.stream().filter(r -> deps.contains(r.origin + (r.depTime - HOUR))).count();
        long sameMinute = rows.size() - deps.size();
        assertThat(exactlyOneHourBefore).isPositive();
        assertThat(sameMinute).isPositive();
    }

    /** Runs the evaluators over per-key testing stores, events in a shuffled order. */
    private List<String> engineTrainingFile(List<FlightRow> rows, Random random) throws Exception {
        List<FlightEvent> events = new ArrayList<>();
        for (FlightRow row : rows) {
            EventExpansion.expand(row, events::add);
        }
        Collections.shuffle(events, random);

        List<GroupEvaluator> evaluators = new ArrayList<>();
        for (FeatureGroup g : groups) {
            evaluators.add(new GroupEvaluator(g, set.windowFeatures().size()));
        }
        Map<String, TestingGroupStore> stores = new TreeMap<>();
        for (FlightEvent e : events) {
            for (GroupEvaluator ev : evaluators) {
                FeatureGroup g = ev.group();
                TestingGroupStore s =
                        stores.computeIfAbsent(
                                g.index() + "|" + g.key().keyOf(e.origin, e.dest),
                                k -> new TestingGroupStore());
                ev.onEvent(e.type, e.time, e.delay, s);
                if (e.type == EventType.DEPARTURE) {
                    ev.onQuery(e.id, e.time, s);
                }
            }
        }

        Map<Long, double[]> values = new HashMap<>();
        int[] answered = {0};
        for (Map.Entry<String, TestingGroupStore> entry : stores.entrySet()) {
            GroupEvaluator ev = evaluators.get(Integer.parseInt(entry.getKey().split("\\|")[0]));
            FeatureGroup g = ev.group();
            entry.getValue()
                    .advanceTo(
                            Long.MAX_VALUE,
                            ev,
                            (id, t, v) -> {
                                answered[0]++;
                                double[] out =
                                        values.computeIfAbsent(
                                                id, k -> new double[set.windowFeatures().size()]);
                                for (int s = 0; s < g.size(); s++) {
                                    out[g.setIndex(s)] = v[g.setIndex(s)];
                                }
                            });
            assertThat(entry.getValue().isEmpty()).as("store %s", entry.getKey()).isTrue();
        }
        assertThat(answered[0]).isEqualTo(rows.size() * groups.size());

        FeatureCsv csv = new FeatureCsv(set);
        List<FlightRow> sorted = new ArrayList<>(rows);
        sorted.sort((a, b) -> Long.compare(a.id, b.id));
        List<String> lines = new ArrayList<>();
        lines.add(csv.header());
        for (FlightRow row : sorted) {
            FeatureVector v = new FeatureVector();
            v.id = row.id;
            v.setContext(row.depTime, row.origin, row.dest, row.distance);
            v.values = values.get(row.id);
            v.label = row.delay;
            lines.add(csv.format(v));
        }
        return lines;
    }
}
