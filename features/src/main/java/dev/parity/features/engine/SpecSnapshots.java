package dev.parity.features.engine;

import dev.parity.features.spec.FieldType;
import dev.parity.features.spec.Window;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Daily snapshots of a spec's daily-window features (batch features): per entity of a group with a
 * daily feature and per UTC midnight {@code m}, the values a query at {@code m} gets, which are the
 * values every query of that day gets. The online job serves them from the snapshot table.
 *
 * <pre>{@code
 * DataStream<SnapshotValue> snapshots = SpecSnapshots.apply(events, plan, "snapshots-");
 * }</pre>
 *
 * <p>Runs the {@link GroupEvaluator} of the feature pipeline on the same keys, with a query at each
 * midnight in place of a query event, so a snapshot equals the feature file's value by
 * construction. An entity has a snapshot on midnight {@code m} when one of its daily windows holds
 * an event at {@code m}; on other days its daily features are the empty-window values ({@link
 * SpecPlan.Slot#emptyValue()}). Every midnight is asked for when the event arrives, never from a
 * timer (BATCH drops timers registered from timers), and a key's state returns to nothing once its
 * windows are empty. Late events are not filtered: use it on bounded input (BATCH).
 */
public final class SpecSnapshots {
    private static final long DAY = 86_400_000L;

    /** Query id of a snapshot. */
    private static final long SNAPSHOT = -1L;

    private SpecSnapshots() {}

    /** Whether {@code plan} has a daily feature to snapshot. */
    public static boolean hasDailyFeatures(SpecPlan plan) {
        return plan.features().stream().anyMatch(s -> s.window().isDaily());
    }

    public static DataStream<SnapshotValue> apply(
            DataStream<EventRow> events, SpecPlan plan, String uidPrefix) {
        return events.flatMap(new Route(plan), EngineTypes.ROUTED)
                .name("route-snapshot-events")
                .uid(uidPrefix + "route-events")
                .keyBy(in -> in.key, Types.STRING)
                .process(new Snapshot(plan), TypeInformation.of(SnapshotValue.class))
                .name("daily-snapshots")
                .uid(uidPrefix + "daily-snapshots");
    }

    /**
     * Each event to the groups whose daily features aggregate it, keyed by {@code <group>|<entity>}
     * ({@link SpecPlan.Group#entityOf}): the timer knows its entity from the key.
     */
    static final class Route implements FlatMapFunction<EventRow, RoutedEvent> {
        private static final long serialVersionUID = 1L;
        private final SpecPlan plan;

        Route(SpecPlan plan) {
            this.plan = plan;
        }

        @Override
        public void flatMap(EventRow e, Collector<RoutedEvent> out) {
            for (SpecPlan.Group g : plan.groups()) {
                if (!dailyConsumes(g, e.kind)) {
                    continue;
                }
                String entity = g.entityOf(e);
                if (entity != null) {
                    out.collect(
                            new RoutedEvent(
                                    g.index() + "|" + entity,
                                    g.index(),
                                    true,
                                    false,
                                    Long.MIN_VALUE,
                                    e));
                }
            }
        }
    }

    static boolean dailyConsumes(SpecPlan.Group g, int kind) {
        for (int s = 0; s < g.size(); s++) {
            if (g.slot(s).kind() == kind && g.slot(s).window().isDaily()) {
                return true;
            }
        }
        return false;
    }

    static final class Snapshot extends KeyedProcessFunction<String, RoutedEvent, SnapshotValue> {
        private static final long serialVersionUID = 1L;
        private final SpecPlan plan;
        private transient List<GroupEvaluator> evaluators;
        private transient GroupFunction.Store store;

        Snapshot(SpecPlan plan) {
            this.plan = plan;
        }

        @Override
        public void open(OpenContext openContext) {
            evaluators = new ArrayList<>();
            for (SpecPlan.Group g : plan.groups()) {
                evaluators.add(new GroupEvaluator(g));
            }
            store = GroupFunction.Store.open(getRuntimeContext());
        }

        @Override
        public void processElement(RoutedEvent in, Context ctx, Collector<SnapshotValue> out)
                throws Exception {
            GroupEvaluator evaluator = evaluators.get(in.group);
            store.timers = ctx.timerService();
            evaluator.onEvent(in.event, Long.MIN_VALUE, store);
            // every midnight at which a daily window of this group holds the event
            SpecPlan.Group g = evaluator.group();
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (int s = 0; s < g.size(); s++) {
                Window w = g.slot(s).window();
                if (g.slot(s).kind() == in.event.kind && w.isDaily()) {
                    first = Math.min(first, w.validFrom(in.event.time));
                    last = Math.max(last, w.validUntil(in.event.time) - DAY);
                }
            }
            for (long midnight = first; midnight <= last; midnight += DAY) {
                if (store.queriesAt(midnight) == null) {
                    evaluator.onQuery(SNAPSHOT, midnight, store);
                }
            }
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<SnapshotValue> out)
                throws Exception {
            String key = ctx.getCurrentKey();
            int group = KeyCodec.groupOf(key);
            String entity = key.substring(key.indexOf('|') + 1);
            GroupEvaluator evaluator = evaluators.get(group);
            SpecPlan.Group g = evaluator.group();
            store.timers = ctx.timerService();
            evaluator.advanceTo(
                    timestamp,
                    store,
                    (id, t, values) -> {
                        for (int s = 0; s < g.size(); s++) {
                            SpecPlan.Slot slot = g.slot(s);
                            if (slot.window().isDaily()) {
                                FieldType type = slot.def().resultType();
                                out.collect(
                                        new SnapshotValue(
                                                entity,
                                                t,
                                                slot.name(),
                                                SnapshotValue.text(type, values[s])));
                            }
                        }
                    });
        }
    }
}
