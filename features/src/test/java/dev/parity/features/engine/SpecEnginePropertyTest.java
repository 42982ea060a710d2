package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.agg.AggregationKind;
import dev.parity.features.agg.Trials;
import dev.parity.features.spec.FeatureDef;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.features.spec.FieldType;
import dev.parity.features.spec.Window;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * Random specs over random events: the engine's rows in BATCH and STREAMING mode, at parallelism 1
 * and 4, from shuffled input, equal a naive reference that reads docs/SPEC.md literally (scan every
 * event for every query). Events tie in time, keys hold unicode, commas and quotes, values are
 * null, doubles have fractional parts and magnitudes that make naive summation order-dependent, and
 * times are drawn from a grid so events fall exactly at {@code t - W} and {@code t}.
 *
 * <p>The pure-Java evaluator runs many cases cheaply ({@link #evaluatorMatchesReference}); the
 * Flink runs cover the modes and parallelism ({@link #flinkModesMatchReference}). Replay a failure
 * with {@code -Dparity.agg.seed=N}.
 */
class SpecEnginePropertyTest {
    private static final long BASE = 1_700_000_000_000L - 1_700_000_000_000L % 86_400_000L;
    private static final long STEP = 3_600_000L; // grid of event times: whole hours over 3 days
    private static final String[] STRINGS = {
        "a", "b", "a,b", "\"q\"", "東京", "é", "", "x y", "a|b", "s5:a"
    };
    private static final double[] DOUBLES = {
        0.1, 0.2, 0.3, -1.5, 1e16, -1e16, 3.25, 1e-3, 2.0, 0.0, -0.0, 123.456
    };
    private static final String[] VALUES = {"v", "w", "s", "flag"};

    @Test
    void evaluatorMatchesReference() {
        Trials.check(
                "the evaluator equals the naive reference",
                300,
                SpecEnginePropertyTest::randomCase,
                Case::smaller,
                c -> assertThat(c.evaluated()).containsExactlyElementsOf(c.reference()));
    }

    @Test
    void flinkModesMatchReference() {
        Trials.check(
                "BATCH and STREAMING at parallelism 1 and 4 equal the naive reference",
                6,
                SpecEnginePropertyTest::randomCase,
                c -> List.of(),
                c -> {
                    List<String> expected = c.reference();
                    for (RuntimeExecutionMode mode :
                            List.of(RuntimeExecutionMode.BATCH, RuntimeExecutionMode.STREAMING)) {
                        for (int p : new int[] {1, 4}) {
                            assertThat(c.run(mode, p))
                                    .as("%s at parallelism %d", mode, p)
                                    .containsExactlyElementsOf(expected);
                        }
                    }
                });
    }

    static Case randomCase(SplittableRandom r) {
        FeatureSpec.Builder b = FeatureSpec.builder().origin("random").name("random_v1");
        for (String kind : new String[] {"a", "b"}) {
            b.event(
                    kind,
                    e ->
                            e.field("id", FieldType.LONG)
                                    .field("t", FieldType.TIMESTAMP)
                                    .field("k1", FieldType.STRING)
                                    .field("k2", FieldType.LONG)
                                    .field("v", FieldType.DOUBLE)
                                    .field("w", FieldType.LONG)
                                    .field("s", FieldType.STRING)
                                    .field("flag", FieldType.BOOLEAN)
                                    .id("id")
                                    .time("t"));
        }
        boolean label = r.nextBoolean();
        b.query(
                q -> {
                    q.event("a").context("k1").context("v");
                    if (label) {
                        q.label("w");
                    }
                });
        int features = 1 + r.nextInt(7);
        AggregationKind[] kinds = AggregationKind.values();
        for (int i = 0; i < features; i++) {
            AggregationKind agg = kinds[r.nextInt(kinds.length)];
            String value = VALUES[r.nextInt(VALUES.length)];
            if ((agg == AggregationKind.SUM || agg == AggregationKind.MEAN)
                    && !(value.equals("v") || value.equals("w"))) {
                value = r.nextBoolean() ? "v" : "w";
            }
            String v = value;
            List<String> key = new ArrayList<>();
            switch (r.nextInt(3)) {
                case 0:
                    key.add("k1");
                    break;
                case 1:
                    key.add("k2");
                    break;
                default:
                    key.add("k1");
                    key.add("k2");
            }
            Window window =
                    r.nextInt(4) == 0
                            ? Window.daily(1 + r.nextInt(2))
                            : Window.sliding(Duration.ofMillis(STEP * (1 + r.nextInt(12))));
            String name = "f" + i;
            String event = r.nextInt(3) == 0 ? "b" : "a";
            b.feature(
                    f -> {
                        f.name(name).event(event).key(key).window(window).aggregation(agg);
                        if (agg != AggregationKind.COUNT) {
                            f.value(v);
                        }
                    });
        }
        SpecPlan plan = SpecPlan.of(b.build());
        int n = 5 + r.nextInt(60);
        List<EventRow> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(3) == 0 ? 1 : 0;
            long t = BASE + STEP * r.nextInt(72) + (r.nextInt(5) == 0 ? r.nextInt(3) - 1 : 0);
            Object[] values = {
                (long) i,
                t,
                r.nextInt(8) == 0 ? null : STRINGS[r.nextInt(4)],
                r.nextInt(8) == 0 ? null : (long) r.nextInt(3),
                r.nextInt(6) == 0 ? null : DOUBLES[r.nextInt(DOUBLES.length)],
                r.nextInt(6) == 0 ? null : (long) (r.nextInt(7) - 3),
                r.nextInt(6) == 0 ? null : STRINGS[r.nextInt(STRINGS.length)],
                r.nextInt(6) == 0 ? null : r.nextBoolean()
            };
            events.add(new EventRow(kind, i, t, values));
        }
        return new Case(plan, events, r.nextLong());
    }

    /** One spec and one event set. */
    static final class Case {
        final SpecPlan plan;
        final List<EventRow> events;
        final long shuffleSeed;

        Case(SpecPlan plan, List<EventRow> events, long shuffleSeed) {
            this.plan = plan;
            this.events = events;
            this.shuffleSeed = shuffleSeed;
        }

        List<Case> smaller() {
            List<Case> out = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                List<EventRow> fewer = new ArrayList<>(events);
                fewer.remove(i);
                out.add(new Case(plan, fewer, shuffleSeed));
            }
            return out;
        }

        /** docs/SPEC.md, read literally: for every query, scan every event. */
        List<String> reference() {
            RowCsv csv = new RowCsv(plan, plan.hasLabel());
            List<String> lines = new ArrayList<>();
            for (EventRow q : sortedById()) {
                if (q.kind != 0) {
                    continue;
                }
                List<Object> row = new ArrayList<>();
                row.add(q.values[2]);
                row.add(q.values[4]);
                for (FeatureDef f : plan.spec().features()) {
                    row.add(naive(f, q));
                }
                if (plan.hasLabel()) {
                    row.add(q.values[5]);
                }
                lines.add(csv.format(new FeatureRow(q.id, q.time, row.toArray())));
            }
            return lines;
        }

        Object naive(FeatureDef f, EventRow q) {
            int kind = f.event().equals("a") ? 0 : 1;
            int[] key = f.key().stream().mapToInt(k -> k.equals("k1") ? 2 : 3).toArray();
            int value = f.value().map(SpecEnginePropertyTest::position).orElse(-1);
            long from;
            long until;
            if (f.window().isDaily()) {
                long day = Math.floorDiv(q.time, 86_400_000L) * 86_400_000L;
                from = day - f.window().days() * 86_400_000L;
                until = day;
            } else {
                from = q.time - f.window().length().toMillis();
                until = q.time;
            }
            List<EventRow> in = new ArrayList<>();
            boolean nullKey = false;
            for (int k : key) {
                nullKey |= q.values[k] == null;
            }
            for (EventRow e : events) {
                if (nullKey || e.kind != kind || e.time < from || e.time >= until) {
                    continue;
                }
                boolean match = true;
                for (int k : key) {
                    match &= e.values[k] != null && e.values[k].equals(q.values[k]);
                }
                if (match) {
                    in.add(e);
                }
            }
            AggregationKind agg = f.aggregation();
            if (agg == AggregationKind.COUNT) {
                return (long) in.size();
            }
            List<EventRow> withValue = new ArrayList<>();
            for (EventRow e : in) {
                if (e.values[value] != null) {
                    withValue.add(e);
                }
            }
            if (agg == AggregationKind.COUNT_DISTINCT) {
                Set<Object> distinct = new HashSet<>();
                withValue.forEach(e -> distinct.add(e.values[value]));
                return (long) distinct.size();
            }
            if (withValue.isEmpty()) {
                return null;
            }
            switch (agg) {
                case SUM:
                case MEAN:
                    BigDecimal sum = BigDecimal.ZERO;
                    for (EventRow e : withValue) {
                        Object v = e.values[value];
                        sum =
                                sum.add(
                                        v instanceof Long
                                                ? BigDecimal.valueOf((Long) v)
                                                : new BigDecimal((Double) v));
                    }
                    double nearest = sum.doubleValue();
                    return agg == AggregationKind.SUM ? nearest : nearest / withValue.size();
                case MIN:
                case MAX:
                    List<Object> vs = new ArrayList<>();
                    withValue.forEach(e -> vs.add(e.values[value]));
                    @SuppressWarnings({"unchecked", "rawtypes"})
                    Comparator<Object> natural = (x, y) -> ((Comparable) x).compareTo(y);
                    return agg == AggregationKind.MIN
                            ? Collections.min(vs, natural)
                            : Collections.max(vs, natural);
                case LAST:
                    EventRow last =
                            Collections.max(
                                    withValue,
                                    Comparator.comparingLong((EventRow e) -> e.time)
                                            .thenComparingLong(e -> e.id));
                    return last.values[value];
                default:
                    throw new AssertionError(agg);
            }
        }

        /** The engine's algorithm without Flink: events and queries on one sorted clock. */
        List<String> evaluated() {
            Object[][] rows = new Object[events.size()][];
            SpecPlan.Column[] context = plan.context();
            List<MapStore> stores = new ArrayList<>();
            List<GroupEvaluator> evaluators = new ArrayList<>();
            for (SpecPlan.Group g : plan.groups()) {
                evaluators.add(new GroupEvaluator(g));
                stores.add(null);
            }
            java.util.Map<String, MapStore> byKey = new java.util.HashMap<>();
            java.util.Map<Long, Object[]> out = new java.util.TreeMap<>();
            List<EventRow> shuffled = new ArrayList<>(events);
            Collections.shuffle(shuffled, new java.util.Random(shuffleSeed));
            try {
                for (EventRow e : shuffled) {
                    for (GroupEvaluator ev : evaluators) {
                        SpecPlan.Group g = ev.group();
                        boolean query = e.kind == 0;
                        if (!g.consumes(e.kind) && !query) {
                            continue;
                        }
                        String key = g.keyOf(e);
                        Object[] row =
                                out.computeIfAbsent(
                                        query ? e.id : -1L - e.id, k -> new Object[plan.width()]);
                        if (key == null) {
                            if (query) {
                                place(row, g, ev.values(null), context.length);
                            }
                            continue;
                        }
                        MapStore s = byKey.computeIfAbsent(key, k -> new MapStore());
                        if (g.consumes(e.kind)) {
                            ev.onEvent(e, Long.MIN_VALUE, s);
                        }
                        if (query) {
                            ev.onQuery(e.id, e.time, s);
                        }
                    }
                    if (e.kind == 0) {
                        Object[] row = out.get(e.id);
                        for (int i = 0; i < context.length; i++) {
                            row[i] = context[i].valueOf(e);
                        }
                        if (plan.hasLabel()) {
                            row[row.length - 1] = e.values[plan.labelField()];
                        }
                    }
                }
                for (java.util.Map.Entry<String, MapStore> ks : byKey.entrySet()) {
                    GroupEvaluator ev = evaluators.get(KeyCodec.groupOf(ks.getKey()));
                    MapStore s = ks.getValue();
                    while (!s.timers.isEmpty()) {
                        long t = s.timers.pollFirst();
                        ev.advanceTo(
                                t,
                                s,
                                (id, at, values) ->
                                        place(out.get(id), ev.group(), values, context.length));
                    }
                }
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
            RowCsv csv = new RowCsv(plan, plan.hasLabel());
            List<String> lines = new ArrayList<>();
            for (EventRow q : sortedById()) {
                if (q.kind == 0) {
                    lines.add(csv.format(new FeatureRow(q.id, q.time, out.get(q.id))));
                }
            }
            return lines;
        }

        private static void place(Object[] row, SpecPlan.Group g, Object[] values, int offset) {
            for (int s = 0; s < g.size(); s++) {
                row[offset + g.slot(s).feature()] = values[s];
            }
        }

        /**
         * The events, shuffled, as the input of a job in {@code mode}; out of order by up to the
         * whole range, so nothing is late: exactness, not lateness.
         */
        DataStream<EventRow> input(RuntimeExecutionMode mode, int parallelism) {
            Configuration conf = new Configuration();
            conf.set(ExecutionOptions.RUNTIME_MODE, mode);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(parallelism);
            List<EventRow> shuffled = new ArrayList<>(events);
            Collections.shuffle(shuffled, new java.util.Random(shuffleSeed));
            return env.fromData(shuffled, EngineTypes.EVENT)
                    .setParallelism(1)
                    .assignTimestampsAndWatermarks(
                            WatermarkStrategy.<EventRow>forBoundedOutOfOrderness(
                                            Duration.ofDays(30))
                                    .withTimestampAssigner((e, ts) -> e.time))
                    .setParallelism(1);
        }

        List<String> run(RuntimeExecutionMode mode, int parallelism) {
            DataStream<EventRow> in = input(mode, parallelism);
            RowCsv csv = new RowCsv(plan, plan.hasLabel());
            List<String> lines = new ArrayList<>();
            try (CloseableIterator<FeatureRow> it =
                    SpecPipeline.builder(plan)
                            .withLabel(plan.hasLabel())
                            .build()
                            .apply(in)
                            .rows()
                            .executeAndCollect()) {
                it.forEachRemaining(row -> lines.add(csv.format(row)));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            lines.sort(
                    Comparator.comparingLong(l -> Long.parseLong(l.substring(0, l.indexOf(',')))));
            return lines;
        }

        private List<EventRow> sortedById() {
            List<EventRow> sorted = new ArrayList<>(events);
            sorted.sort(Comparator.comparingLong(e -> e.id));
            return sorted;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(plan.spec().canonicalForm()).append('\n');
            events.forEach(e -> sb.append(e).append('\n'));
            return sb.toString();
        }
    }

    private static int position(String field) {
        switch (field) {
            case "v":
                return 4;
            case "w":
                return 5;
            case "s":
                return 6;
            case "flag":
                return 7;
            default:
                throw new AssertionError(field);
        }
    }

    /** The evaluator's state in maps, with a sorted set as the timer service. */
    static final class MapStore implements GroupEvaluator.Store {
        final java.util.Map<Long, GroupState> pending = new java.util.HashMap<>();
        final java.util.Map<Long, long[]> queries = new java.util.HashMap<>();
        final java.util.TreeSet<Long> timers = new java.util.TreeSet<>();
        GroupState running;

        @Override
        public GroupState pendingAt(long t) {
            return pending.get(t);
        }

        @Override
        public void putPending(long t, GroupState changes) {
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
        public GroupState running() {
            return running;
        }

        @Override
        public void putRunning(GroupState r) {
            running = r;
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
