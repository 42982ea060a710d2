package dev.parity.features.flink;

import dev.parity.features.core.GroupEvaluator;
import dev.parity.features.core.WindowAggregates;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/** The {@link GroupEvaluator}'s state on Flink keyed state of the current key. */
final class FlinkGroupStore implements GroupEvaluator.Store {
    private final MapState<Long, WindowAggregates> pending;
    private final MapState<Long, long[]> queries;
    private final ValueState<WindowAggregates> running;
    TimerService timers;

    static FlinkGroupStore create(RuntimeContext ctx) {
        TypeInformation<WindowAggregates> aggType = TypeInformation.of(WindowAggregates.class);
        return new FlinkGroupStore(
                ctx.getMapState(new MapStateDescriptor<>("pending", Types.LONG, aggType)),
                ctx.getMapState(
                        new MapStateDescriptor<>(
                                "queries",
                                Types.LONG,
                                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO)),
                ctx.getState(new ValueStateDescriptor<>("running", aggType)));
    }

    FlinkGroupStore(
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
