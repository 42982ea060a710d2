package dev.parity.features.flink;

import dev.parity.features.api.FeatureDefinition;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.WindowSpec;
import dev.parity.features.core.FeatureGroup;
import dev.parity.features.core.GroupEvaluator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Daily snapshots of a feature set's window features, per entity: the values a flight departing at
 * exactly a UTC midnight would get. Runs the same {@link GroupEvaluator} as {@link
 * FeatureGroupFunction}, on the same keys, with a query at midnight in place of a departure.
 *
 * <p>An entity has a snapshot on midnight {@code m} if it had an event on the day before, or if any
 * of its group's windows holds an event at {@code m}: every day from the one after its first event
 * until its windows run dry, days without events included. Only event-time timers and keyed state:
 * BATCH and STREAMING give the same snapshots, and a key's state returns to zero once its windows
 * are empty.
 */
public final class SnapshotFunction
        extends KeyedProcessFunction<String, GroupInput, FeatureSnapshot> {
    private static final long serialVersionUID = 1L;
    private static final long DAY = 86_400_000L;

    /** Query id of a snapshot; flights are never asked here. */
    private static final long SNAPSHOT = -1L;

    private final FeatureSet set;
    private transient List<GroupEvaluator> evaluators;
    private transient FlinkGroupStore store;

    public SnapshotFunction(FeatureSet set) {
        this.set = set;
    }

    @Override
    public void open(OpenContext openContext) {
        evaluators = new ArrayList<>();
        for (FeatureGroup g : FeatureGroup.plan(set)) {
            evaluators.add(new GroupEvaluator(g, set.windowFeatures().size()));
        }
        store = FlinkGroupStore.create(getRuntimeContext());
    }

    @Override
    public void processElement(GroupInput in, Context ctx, Collector<FeatureSnapshot> out)
            throws Exception {
        GroupEvaluator evaluator = evaluators.get(in.group);
        store.timers = ctx.timerService();
        evaluator.onEvent(in.event.type, in.event.time, in.event.delay, in.notBefore, store);
        // Every midnight whose snapshot this event is part of, registered now: in BATCH mode a
        // timer registered from onTimer is dropped (the timer service is quiesced at that point),
        // so no day may depend on a timer chain.
        long first = WindowSpec.dayOf(in.event.time) + DAY;
        long last = first;
        FeatureGroup group = evaluator.group();
        for (int slot = 0; slot < group.size(); slot++) {
            FeatureDefinition f = group.feature(slot);
            if (f.events() == in.event.type) {
                // the last midnight strictly before the event leaves this window
                last = Math.max(last, WindowSpec.dayOf(f.window().validUntil(in.event.time) - 1));
            }
        }
        for (long midnight = first; midnight <= last; midnight += DAY) {
            askFor(evaluator, midnight);
        }
    }

    private void askFor(GroupEvaluator evaluator, long midnight) throws Exception {
        if (store.queriesAt(midnight) == null) {
            evaluator.onQuery(SNAPSHOT, midnight, store);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureSnapshot> out)
            throws Exception {
        String key = ctx.getCurrentKey();
        GroupEvaluator evaluator = evaluators.get(GroupKeys.groupOf(key));
        FeatureGroup group = evaluator.group();
        String entity =
                group.key().name().toLowerCase(Locale.ROOT)
                        + ":"
                        + key.substring(key.indexOf('|') + 1);
        store.timers = ctx.timerService();
        evaluator.advanceTo(
                timestamp,
                store,
                (id, t, values) -> {
                    for (int slot = 0; slot < group.size(); slot++) {
                        out.collect(
                                new FeatureSnapshot(
                                        entity,
                                        t,
                                        group.feature(slot).name(),
                                        values[group.setIndex(slot)]));
                    }
                });
    }
}
