package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.agg.Trials;
import dev.parity.features.spec.FeatureDef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * Duplicate query ids, through the whole pipeline in BATCH and STREAMING mode at parallelism 1 and
 * 4, from shuffled input, against the rule of docs/SPEC.md applied literally: of the query events
 * with one id, the earliest gets the row; later ones are reported; several at the earliest time
 * give one row when their rows would be equal and none when they differ, and every one without the
 * row is reported. The random specs and events are {@link SpecEnginePropertyTest}'s, with copies of
 * some query events added: exact copies, copies at the same time with another value, and copies at
 * another time.
 */
class SpecDuplicateIdsTest {
    private static final long STEP = 3_600_000L;

    @Test
    void batchAndStreamingApplyTheDuplicateRule() {
        Trials.check(
                "BATCH and STREAMING at parallelism 1 and 4 apply the duplicate-id rule",
                6,
                SpecDuplicateIdsTest::randomCase,
                c -> List.of(),
                c -> {
                    List<String> expected = reference(c);
                    assertThat(expected).anyMatch(l -> l.contains("duplicate id"));
                    for (RuntimeExecutionMode mode :
                            List.of(RuntimeExecutionMode.BATCH, RuntimeExecutionMode.STREAMING)) {
                        for (int p : new int[] {1, 4}) {
                            assertThat(run(c, mode, p))
                                    .as("%s at parallelism %d", mode, p)
                                    .containsExactlyInAnyOrderElementsOf(expected);
                        }
                    }
                });
    }

    static SpecEnginePropertyTest.Case randomCase(SplittableRandom r) {
        SpecEnginePropertyTest.Case base = SpecEnginePropertyTest.randomCase(r);
        List<EventRow> events = new ArrayList<>(base.events);
        EventRow firstQuery = null;
        for (EventRow e : base.events) {
            if (e.kind != 0) {
                continue;
            }
            if (firstQuery == null) {
                firstQuery = e;
            }
            if (r.nextInt(3) == 0) {
                for (int i = 1 + r.nextInt(2); i > 0; i--) {
                    events.add(copy(e, r));
                }
            }
        }
        if (events.size() == base.events.size()) {
            if (firstQuery == null) {
                firstQuery = base.events.get(0);
                firstQuery = new EventRow(0, firstQuery.id, firstQuery.time, firstQuery.values);
                events.set(0, firstQuery);
            }
            events.add(copy(firstQuery, r));
        }
        return new SpecEnginePropertyTest.Case(base.plan, events, r.nextLong());
    }

    /**
     * An event with the id of query {@code e}: the same, at the same time with other values, or at
     * another time.
     */
    private static EventRow copy(EventRow e, SplittableRandom r) {
        Object[] values = e.values.clone();
        long time = e.time;
        switch (r.nextInt(3)) {
            case 0: // the same event twice
                break;
            case 1: // the same time, other values
                values[4] = values[4] == null ? 0.5 : null;
                values[2] = r.nextBoolean() ? values[2] : "other";
                break;
            default: // another time, earlier or later
                time += STEP * (r.nextBoolean() ? 1 + r.nextInt(5) : -1 - r.nextInt(5));
                values[1] = time;
        }
        return new EventRow(0, e.id, time, values);
    }

    /** Rows as {@code row <csv>} and reports as {@code incomplete <id>,<reason>}. */
    static List<String> reference(SpecEnginePropertyTest.Case c) {
        SpecPlan plan = c.plan;
        RowCsv csv = new RowCsv(plan, plan.hasLabel());
        Map<Long, List<EventRow>> byId = new TreeMap<>();
        for (EventRow e : c.events) {
            if (e.kind == 0) {
                byId.computeIfAbsent(e.id, k -> new ArrayList<>()).add(e);
            }
        }
        List<String> out = new ArrayList<>();
        String kind = plan.queryKind().name();
        for (Map.Entry<Long, List<EventRow>> entry : byId.entrySet()) {
            long id = entry.getKey();
            long first = Long.MAX_VALUE;
            for (EventRow q : entry.getValue()) {
                first = Math.min(first, q.time);
            }
            List<String> rows = new ArrayList<>();
            for (EventRow q : entry.getValue()) {
                if (q.time == first) {
                    rows.add(csv.format(new FeatureRow(id, q.time, naiveRow(c, q))));
                } else {
                    out.add(
                            "incomplete "
                                    + id
                                    + ",duplicate id: "
                                    + kind
                                    + " at "
                                    + Instant.ofEpochMilli(q.time)
                                    + "; an earlier "
                                    + kind
                                    + " has this id");
                }
            }
            if (rows.stream().distinct().count() == 1) {
                out.add("row " + rows.get(0));
                for (int i = 1; i < rows.size(); i++) {
                    out.add(
                            "incomplete "
                                    + id
                                    + ",duplicate id: "
                                    + kind
                                    + " at "
                                    + Instant.ofEpochMilli(first)
                                    + "; another "
                                    + kind
                                    + " at the same time has this id");
                }
            } else {
                for (int i = 0; i < rows.size(); i++) {
                    out.add(
                            "incomplete "
                                    + id
                                    + ",duplicate id: "
                                    + rows.size()
                                    + " "
                                    + kind
                                    + " events at "
                                    + Instant.ofEpochMilli(first)
                                    + " have this id and differ: no row");
                }
            }
        }
        return out;
    }

    private static Object[] naiveRow(SpecEnginePropertyTest.Case c, EventRow q) {
        List<Object> row = new ArrayList<>();
        row.add(q.values[2]);
        row.add(q.values[4]);
        for (FeatureDef f : c.plan.spec().features()) {
            row.add(c.naive(f, q));
        }
        if (c.plan.hasLabel()) {
            row.add(q.values[5]);
        }
        return row.toArray();
    }

    static List<String> run(SpecEnginePropertyTest.Case c, RuntimeExecutionMode mode, int p) {
        DataStream<EventRow> in = c.input(mode, p);
        SpecPlan plan = c.plan;
        boolean label = plan.hasLabel();
        SpecPipeline.Output output = SpecPipeline.builder(plan).withLabel(label).build().apply(in);
        DataStream<String> rows =
                output.rows().map(r -> "row " + new RowCsv(plan, label).format(r), Types.STRING);
        DataStream<String> reports =
                output.incomplete().map(i -> "incomplete " + i.id + "," + i.missing, Types.STRING);
        List<String> lines = new ArrayList<>();
        try (CloseableIterator<String> it = rows.union(reports).executeAndCollect()) {
            it.forEachRemaining(lines::add);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return lines;
    }
}
