package dev.parity.features.engine;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Runs the {@link GroupEvaluator} of every feature group on Flink keyed state and event-time
 * timers. Keyed by {@link RoutedEvent#key}: one key is one entity of one group.
 *
 * <p>Timers fire in timestamp order per key in both runtime modes (in STREAMING as the watermark
 * passes, in BATCH once the key's input has ended), which is all the evaluator needs; nothing here
 * reads processing time or depends on the order of keys, so both modes give the same values. A
 * key's state is removed as its windows empty.
 */
public final class GroupFunction extends KeyedProcessFunction<String, RoutedEvent, VectorPart> {
    private static final long serialVersionUID = 1L;

    private final SpecPlan plan;

    private transient List<GroupEvaluator> evaluators;
    private transient Store store;
    private transient Counter answered;

    public GroupFunction(SpecPlan plan) {
        this.plan = plan;
    }

    @Override
    public void open(OpenContext openContext) {
        evaluators = new ArrayList<>();
        for (SpecPlan.Group g : plan.groups()) {
            evaluators.add(new GroupEvaluator(g));
        }
        store = Store.open(getRuntimeContext());
        answered = getRuntimeContext().getMetricGroup().counter("queriesAnswered");
    }

    @Override
    public void processElement(RoutedEvent in, Context ctx, Collector<VectorPart> out)
            throws Exception {
        GroupEvaluator evaluator = evaluators.get(in.group);
        store.timers = ctx.timerService();
        if (in.contributes) {
            evaluator.onEvent(in.event, in.notBefore, store);
        }
        if (in.query) {
            evaluator.onQuery(in.event.id, in.event.time, store);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<VectorPart> out)
            throws Exception {
        int group = KeyCodec.groupOf(ctx.getCurrentKey());
        store.timers = ctx.timerService();
        evaluators
                .get(group)
                .advanceTo(
                        timestamp,
                        store,
                        (id, t, values) -> {
                            answered.inc();
                            out.collect(new VectorPart(id, group, t, 0L, values.clone()));
                        });
    }

    /** The evaluator's state on Flink keyed state of the current key. */
    static final class Store implements GroupEvaluator.Store {
        private final MapState<Long, GroupState> pending;
        private final MapState<Long, long[]> queries;
        private final ValueState<GroupState> running;
        TimerService timers;

        /**
         * The store on the keyed state of {@code ctx} (the same names in every engine operator).
         */
        static Store open(org.apache.flink.api.common.functions.RuntimeContext ctx) {
            return new Store(
                    ctx.getMapState(
                            new MapStateDescriptor<>(
                                    "pending", Types.LONG, EngineTypes.GROUP_STATE)),
                    ctx.getMapState(
                            new MapStateDescriptor<>(
                                    "queries",
                                    Types.LONG,
                                    PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO)),
                    ctx.getState(new ValueStateDescriptor<>("running", EngineTypes.GROUP_STATE)));
        }

        Store(
                MapState<Long, GroupState> pending,
                MapState<Long, long[]> queries,
                ValueState<GroupState> running) {
            this.pending = pending;
            this.queries = queries;
            this.running = running;
        }

        @Override
        public GroupState pendingAt(long t) throws Exception {
            return pending.get(t);
        }

        @Override
        public void putPending(long t, GroupState changes) throws Exception {
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
        public GroupState running() throws Exception {
            return running.value();
        }

        @Override
        public void putRunning(GroupState value) throws Exception {
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
