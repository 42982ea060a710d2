package dev.parity.features.flink;

import dev.parity.features.api.FeatureSet;
import dev.parity.features.core.FeatureGroup;
import dev.parity.features.core.GroupEvaluator;
import dev.parity.features.core.WindowAggregates;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
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
    private transient FlinkStore store;
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
        TypeInformation<WindowAggregates> aggType = TypeInformation.of(WindowAggregates.class);
        store =
                new FlinkStore(
                        getRuntimeContext()
                                .getMapState(
                                        new MapStateDescriptor<>("pending", Types.LONG, aggType)),
                        getRuntimeContext()
                                .getMapState(
                                        new MapStateDescriptor<>(
                                                "queries",
                                                Types.LONG,
                                                PrimitiveArrayTypeInfo
                                                        .LONG_PRIMITIVE_ARRAY_TYPE_INFO)),
                        getRuntimeContext()
                                .getState(new ValueStateDescriptor<>("running", aggType)));
        answered = getRuntimeContext().getMetricGroup().counter("queriesAnswered");
    }

    @Override
    public void processElement(GroupInput in, Context ctx, Collector<FlightPart> out)
            throws Exception {
        GroupEvaluator evaluator = evaluators.get(in.group);
        store.timers = ctx.timerService();
        if (in.contributes) {
            evaluator.onEvent(in.event.type, in.event.time, in.event.delay, store);
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

    /** The evaluator's state on Flink keyed state of the current key. */
    private static final class FlinkStore implements GroupEvaluator.Store {
        private final MapState<Long, WindowAggregates> pending;
        private final MapState<Long, long[]> queries;
        private final ValueState<WindowAggregates> running;
        TimerService timers;

        FlinkStore(
                MapState<Long, WindowAggregates> pending,
                MapState<Long, long[]> queries,
                ValueState<WindowAggregates> running) {
            this.pending = pending;
            this.queries = queries;
            this.running = running;
        }

        @Override
        public WindowAggregates pendingAt(long t) throws Exception {
            return pending.get(t);
        }

        @Override
        public void putPending(long t, WindowAggregates changes) throws Exception {
            pending.put(t, changes);
        }

        @Override
        public void removePending(long t) throws Exception {
            pending.remove(t);
        }

        @Override
        public long[] queriesAt(long t) throws Exception {
            return queries.get(t);
        }

        @Override
        public void putQueries(long t, long[] ids) throws Exception {
            queries.put(t, ids);
        }

        @Override
        public void removeQueries(long t) throws Exception {
            queries.remove(t);
        }

        @Override
        public WindowAggregates running() throws Exception {
            return running.value();
        }

        @Override
        public void putRunning(WindowAggregates value) throws Exception {
            running.update(value);
        }

        @Override
        public void clearRunning() {
            running.clear();
        }

        @Override
        public void scheduleAt(long t) {
            timers.registerEventTimeTimer(t);
        }
    }
}
