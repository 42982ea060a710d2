package dev.parity.features.flink;

import dev.parity.features.api.FeatureSet;
import dev.parity.features.core.FeatureGroup;
import dev.parity.features.core.GroupEvaluator;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Runs the {@link GroupEvaluator} of every feature group on Flink keyed state and event-time
 * timers. Keyed by {@link GroupInput#key}, so one key is one entity of one group.
 *
 * <p>Timers fire in timestamp order per key in both runtime modes (in STREAMING as the watermark
 * passes, in BATCH after the key's input ends), which is all the evaluator needs; nothing here
 * reads processing time or depends on the order of keys, so both modes give the same values. State
 * for a key is removed as its windows empty, so it returns to zero after the last window expires.
 */
public final class FeatureGroupFunction
        extends KeyedProcessFunction<String, GroupInput, FlightPart> {
    private static final long serialVersionUID = 1L;

    private final FeatureSet set;

    private transient List<GroupEvaluator> evaluators;
    private transient FlinkGroupStore store;
    private transient Counter answered;

    public FeatureGroupFunction(FeatureSet set) {
        this.set = set;
    }

    @Override
    public void open(OpenContext openContext) {
        evaluators = new ArrayList<>();
        for (FeatureGroup g : FeatureGroup.plan(set)) {
            evaluators.add(new GroupEvaluator(g, set.windowFeatures().size()));
        }
        store = FlinkGroupStore.create(getRuntimeContext());
        answered = getRuntimeContext().getMetricGroup().counter("queriesAnswered");
    }

    @Override
    public void processElement(GroupInput in, Context ctx, Collector<FlightPart> out)
            throws Exception {
        GroupEvaluator evaluator = evaluators.get(in.group);
        store.timers = ctx.timerService();
        if (in.contributes) {
            evaluator.onEvent(in.event.type, in.event.time, in.event.delay, in.notBefore, store);
        }
        if (in.query) {
            evaluator.onQuery(in.event.id, in.event.time, store);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FlightPart> out)
            throws Exception {
        GroupEvaluator evaluator = evaluators.get(GroupKeys.groupOf(ctx.getCurrentKey()));
        int group = evaluator.group().index();
        store.timers = ctx.timerService();
        evaluator.advanceTo(
                timestamp,
                store,
                (id, t, values) -> {
                    answered.inc();
                    out.collect(FlightPart.group(id, group, t, values.clone()));
                });
    }
}
