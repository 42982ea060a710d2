package dev.parity.features.flink;

import dev.parity.features.api.EventType;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.core.FeatureGroup;
import dev.parity.features.engine.MissedWindow;
import dev.parity.features.engine.PipelineCounters;
import dev.parity.features.events.FlightEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

/**
 * Sends every event to the feature groups that use it, and the departure's context and the
 * arrival's label to the join; and decides, once per event and before the fan-out, whether it is
 * late. The groups and the join never decide anything themselves, so they always agree.
 *
 * <p>Why the decision here is exact: this operator runs after a network exchange from the sources
 * (see {@link FeaturePipeline}), so its watermark is the minimum over the sources that are not
 * idle, the same minimum the downstream operators would take; and it never forwards an idle status,
 * so downstream operators take the minimum over <em>all</em> router subtasks. Their watermark is
 * therefore never ahead of the one this subtask had when it passed an event on: an event on time
 * here is on time for every event-time timer it reaches. (Chained to the source, as it used to be,
 * a subtask whose partition had been idle still held an old watermark while the groups, which had
 * stopped waiting for it, were hours ahead: its events were applied out of order without any
 * trace.)
 *
 * <p>A late event is reported on {@link #LATE} with this watermark, and is still applied from the
 * first query time not yet answered (watermark + 1) on, so later answers are exact again. What it
 * could not change is in the record: the windows of answers already given without it, and for a
 * departure, its own flight, which gets an incomplete record instead of a prediction. An event
 * behind the watermark that changes no answer given so far (an arrival exactly at the watermark, or
 * one that only feeds daily features of a later day) is on time.
 */
public final class EventRouter extends AbstractStreamOperator<GroupInput>
        implements OneInputStreamOperator<FlightEvent, GroupInput> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<FlightPart> PARTS = new OutputTag<>("flight-parts") {};
    public static final OutputTag<LateEvent> LATE = new OutputTag<>("late-events") {};

    private final FeatureSet set;
    private final boolean withLabel;
    private transient List<FeatureGroup> groups;
    private transient long watermark;
    private transient ListState<Long> checkpointed;
    private transient Counter late;
    private transient LongCounter lateTotal;

    public EventRouter(FeatureSet set, boolean withLabel) {
        this.set = set;
        this.withLabel = withLabel;
    }

    @Override
    public void open() throws Exception {
        super.open();
        groups = FeatureGroup.plan(set);
        late = getMetricGroup().counter(PipelineCounters.LATE_EVENTS);
        lateTotal = getRuntimeContext().getLongCounter(PipelineCounters.LATE_EVENTS);
    }

    /**
     * Flink does not checkpoint watermarks: after a restore every operator starts again from none,
     * while the groups' restored state has already answered the queries up to the watermark they
     * had. So the router keeps its watermark in the checkpoint and resumes from the lowest one any
     * subtask had (union state, so it also holds after a rescale): the groups' watermark at the
     * checkpoint was at most that, and an event behind it is still reported late.
     */
    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>("router-watermark", Types.LONG));
        watermark = Long.MIN_VALUE;
        if (context.isRestored()) {
            long lowest = Long.MAX_VALUE;
            for (Long w : checkpointed.get()) {
                lowest = Math.min(lowest, w);
            }
            watermark = lowest == Long.MAX_VALUE ? Long.MIN_VALUE : lowest;
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointed.update(List.of(watermark));
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        super.processWatermark(mark);
    }

    /**
     * Swallowed: downstream must keep waiting for this subtask, because only this subtask's
     * watermark bounds what it still sends. Progress does not suffer: this subtask itself is idle
     * only while every source is.
     */
    @Override
    public void processWatermarkStatus(WatermarkStatus status) {}

    @Override
    public void processElement(StreamRecord<FlightEvent> record) {
        FlightEvent e = record.getValue();
        boolean departure = e.type == EventType.DEPARTURE;
        boolean queryLate = departure && e.time <= watermark;
        List<MissedWindow> missed = missed(e);
        boolean isLate = queryLate || !missed.isEmpty();
        long notBefore = isLate ? watermark + 1 : Long.MIN_VALUE;
        if (isLate) {
            late.inc();
            lateTotal.add(1L);
            output.collect(
                    LATE,
                    like(
                            record,
                            new LateEvent(
                                    e, watermark, queryLate, missed.toArray(new MissedWindow[0]))));
        }
        boolean query = departure && !queryLate;
        for (FeatureGroup g : groups) {
            boolean contributes = g.consumes(e.type);
            if (contributes || query) {
                String key = GroupKeys.of(g.index(), g.key().keyOf(e.origin, e.dest));
                GroupInput in = new GroupInput(key, g.index(), contributes, query, e);
                in.notBefore = notBefore;
                output.collect(like(record, in));
            }
        }
        FlightPart part = null;
        if (queryLate) {
            part = FlightPart.late(e.id, e.time, watermark);
        } else if (departure) {
            part = FlightPart.context(e.id, e.time, e.origin, e.dest, e.distance);
        } else if (withLabel) {
            part = FlightPart.label(e.id, e.time, e.delay);
        }
        if (part != null) {
            output.collect(PARTS, like(record, part));
        }
    }

    /** A record of {@code value} with the timestamp of {@code record}, or none if it has none. */
    private static <X> StreamRecord<X> like(StreamRecord<?> record, X value) {
        return record.hasTimestamp()
                ? new StreamRecord<>(value, record.getTimestamp())
                : new StreamRecord<>(value);
    }

    private List<MissedWindow> missed(FlightEvent e) {
        List<MissedWindow> missed = new ArrayList<>(0);
        if (e.time > watermark) {
            return missed; // every window of an event after the watermark opens after it
        }
        for (FeatureGroup g : groups) {
            if (g.consumes(e.type)) {
                String key = g.key().keyOf(e.origin, e.dest);
                g.missed(
                        e.type,
                        e.time,
                        watermark,
                        (f, from, until) ->
                                missed.add(new MissedWindow(f.name(), key, from, until)));
            }
        }
        return missed;
    }
}
