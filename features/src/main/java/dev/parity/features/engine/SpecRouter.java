package dev.parity.features.engine;

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
 * Sends every event to the feature groups that use it, and the query's context and the label to the
 * join; and decides, once per event and before the fan-out, whether it is late. The groups and the
 * join never decide anything themselves, so they always agree.
 *
 * <p>Why the decision is exact: the router runs behind a network exchange from the sources (see
 * {@link SpecPipeline}), so its watermark is the minimum over the sources that are not idle, and it
 * never forwards an idle status, so downstream operators take the minimum over all router subtasks.
 * Their watermark is never ahead of the one a router subtask had when it passed an event on: an
 * event on time here is on time for every event-time timer it reaches.
 *
 * <p>A late event goes to {@link #LATE} with the watermark and the answers already given without
 * it, and is still applied from watermark + 1 on, so later answers are exact again. A late query
 * gets an incomplete record instead of a row. An event behind the watermark that changes no answer
 * given so far is on time.
 *
 * <p>The router also guards the state: its operator state holds the spec's fingerprint, and a
 * restore from a checkpoint or savepoint of another spec fails here, naming both, before any keyed
 * state is read with the wrong layout.
 */
public final class SpecRouter extends AbstractStreamOperator<RoutedEvent>
        implements OneInputStreamOperator<EventRow, RoutedEvent> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<VectorPart> PARTS =
            new OutputTag<>("vector-parts", EngineTypes.PART);
    public static final OutputTag<LateRecord> LATE =
            new OutputTag<>("late-events", EngineTypes.LATE);

    private final SpecPlan plan;
    private transient List<GroupEvaluator> evaluators;
    private transient SpecPlan.Column[] context;
    private transient long watermark;
    private transient ListState<Long> checkpointed;
    private transient ListState<String> checkpointedSpec;
    private transient Counter late;
    private transient LongCounter lateTotal;

    public SpecRouter(SpecPlan plan) {
        this.plan = plan;
    }

    @Override
    public void open() throws Exception {
        super.open();
        evaluators = new ArrayList<>();
        for (SpecPlan.Group g : plan.groups()) {
            evaluators.add(new GroupEvaluator(g));
        }
        context = plan.context();
        late = getMetricGroup().counter(PipelineCounters.LATE_EVENTS);
        lateTotal = getRuntimeContext().getLongCounter(PipelineCounters.LATE_EVENTS);
    }

    /**
     * Flink does not checkpoint watermarks: after a restore every operator starts from none, while
     * the groups' restored state has already answered the queries up to the watermark they had. So
     * the router keeps its watermark in the checkpoint and resumes from the lowest one any subtask
     * had (union state, so it holds after a rescale too).
     */
    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>("router-watermark", Types.LONG));
        checkpointedSpec =
                context.getOperatorStateStore()
                        .getUnionListState(new ListStateDescriptor<>("feature-spec", Types.STRING));
        watermark = Long.MIN_VALUE;
        if (context.isRestored()) {
            String running = describe(plan);
            for (String s : checkpointedSpec.get()) {
                if (!s.equals(running)) {
                    throw new IllegalStateException(
                            "the checkpoint or savepoint was taken with feature spec "
                                    + s
                                    + ", this job runs feature spec "
                                    + running
                                    + ": its feature state would be misread. Start the job"
                                    + " without it, or with the spec it was taken with.");
                }
            }
            long lowest = Long.MAX_VALUE;
            for (Long w : checkpointed.get()) {
                lowest = Math.min(lowest, w);
            }
            watermark = lowest == Long.MAX_VALUE ? Long.MIN_VALUE : lowest;
        }
    }

    private static String describe(SpecPlan plan) {
        return plan.name() + " (fingerprint " + plan.fingerprint() + ")";
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointed.update(List.of(watermark));
        checkpointedSpec.update(List.of(describe(plan)));
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        super.processWatermark(mark);
    }

    /**
     * Swallowed: downstream must keep waiting for this subtask, because only this subtask's
     * watermark bounds what it still sends. This subtask is idle only while every source is.
     */
    @Override
    public void processWatermarkStatus(WatermarkStatus status) {}

    @Override
    public void processElement(StreamRecord<EventRow> record) {
        EventRow e = record.getValue();
        boolean isQuery = e.kind == plan.queryKind().index();
        boolean queryLate = isQuery && e.time <= watermark;
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
                            new LateRecord(
                                    e,
                                    plan.kind(e.kind).name(),
                                    watermark,
                                    queryLate,
                                    missed.toArray(new MissedWindow[0]))));
        }
        boolean query = isQuery && !queryLate;
        for (SpecPlan.Group g : plan.groups()) {
            boolean contributes = g.consumes(e.kind);
            if (!contributes && !query) {
                continue;
            }
            String key = g.keyOf(e);
            if (key == null) {
                if (query) {
                    // a null key value: the empty-window values, straight to the join
                    output.collect(
                            PARTS,
                            like(
                                    record,
                                    new VectorPart(
                                            e.id,
                                            g.index(),
                                            e.time,
                                            0L,
                                            evaluators.get(g.index()).values(null))));
                }
                continue;
            }
            output.collect(
                    like(
                            record,
                            new RoutedEvent(key, g.index(), contributes, query, notBefore, e)));
        }
        if (queryLate) {
            output.collect(
                    PARTS,
                    like(
                            record,
                            new VectorPart(
                                    e.id, VectorPart.LATE, e.time, watermark, new Object[0])));
        } else if (isQuery) {
            Object[] values = new Object[context.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = context[i].valueOf(e);
            }
            output.collect(
                    PARTS,
                    like(record, new VectorPart(e.id, VectorPart.CONTEXT, e.time, 0L, values)));
        }
        if (plan.hasLabel() && e.kind == plan.labelKind().index() && !queryLate) {
            // a late query's own label would only wait for a row that never comes
            output.collect(
                    PARTS,
                    like(
                            record,
                            new VectorPart(
                                    e.id,
                                    VectorPart.LABEL,
                                    e.time,
                                    0L,
                                    new Object[] {e.values[plan.labelField()]})));
        }
    }

    /** A record of {@code value} with the timestamp of {@code record}, or none if it has none. */
    private static <X> StreamRecord<X> like(StreamRecord<?> record, X value) {
        return record.hasTimestamp()
                ? new StreamRecord<>(value, record.getTimestamp())
                : new StreamRecord<>(value);
    }

    private List<MissedWindow> missed(EventRow e) {
        List<MissedWindow> missed = new ArrayList<>(0);
        if (e.time > watermark) {
            return missed; // every window of an event after the watermark opens after it
        }
        for (GroupEvaluator ev : evaluators) {
            SpecPlan.Group g = ev.group();
            if (g.consumes(e.kind) && g.keyOf(e) != null) {
                String key = g.describeKey(e);
                ev.missed(
                        e,
                        watermark,
                        (f, from, until) ->
                                missed.add(new MissedWindow(f.name(), key, from, until)));
            }
        }
        return missed;
    }
}
