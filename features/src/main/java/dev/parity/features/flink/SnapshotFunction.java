package dev.parity.features.flink;

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
 * <p>Every contributing event asks for the snapshot of the midnight after it; each answered
 * midnight asks for the next one while any of the group's windows is still non-empty. So an entity
 * has a snapshot for every day from the one after its first event until its windows run dry, gaps
 * without events included. Only event-time timers and keyed state: BATCH and STREAMING give the
 * same snapshots, and a key's state returns to zero once its windows are empty.
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
        evaluator.onEvent(in.event.type, in.event.time, in.event.delay, store);
        askFor(evaluator, WindowSpec.dayOf(in.event.time) + DAY);
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
        boolean[] answered = {false};
        evaluator.advanceTo(
                timestamp,
                store,
                (id, t, values) -> {
                    answered[0] = true;
                    for (int slot = 0; slot < group.size(); slot++) {
                        out.collect(
                                new FeatureSnapshot(
                                        entity,
                                        t,
                                        group.feature(slot).name(),
                                        values[group.setIndex(slot)]));
                    }
                });
        if (answered[0] && store.running() != null) {
            askFor(evaluator, timestamp + DAY);
        }
    }
}
