package dev.parity.features.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Joins the parts of one query (each group's values, the context and, when the spec has one and the
 * job wants it, the label) into one {@link FeatureRow}, keyed by query id. The row is emitted as
 * soon as the last part arrives and its state is cleared. A query still incomplete when an
 * event-time timer {@code timeout} after its first part fires goes to {@link #INCOMPLETE} with what
 * was missing, so state is bounded and nothing disappears silently. A late query ({@link
 * VectorPart#LATE}) is reported at once and its other parts are absorbed until that deadline.
 */
public final class JoinFunction extends KeyedProcessFunction<Long, VectorPart, FeatureRow> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<IncompleteVector> INCOMPLETE =
            new OutputTag<>("incomplete-rows", TypeInformation.of(IncompleteVector.class));

    private final SpecPlan plan;
    private final boolean withLabel;
    private final long timeoutMillis;

    private transient int groupCount;
    private transient int contextBit;
    private transient int labelBit;
    private transient int complete;
    private transient int contextWidth;
    private transient ValueState<PendingRow> pending;
    private transient Counter incomplete;
    private transient Counter emitted;
    private transient LongCounter incompleteTotal;
    private transient LongCounter emittedTotal;

    public JoinFunction(SpecPlan plan, boolean withLabel, Duration timeout) {
        if (withLabel && !plan.hasLabel()) {
            throw new IllegalArgumentException(
                    "spec " + plan.name() + " declares no label (query.label)");
        }
        if (plan.groups().size() > 29) {
            throw new IllegalArgumentException(
                    "spec "
                            + plan.name()
                            + " has "
                            + plan.groups().size()
                            + " distinct feature keys; the join supports at most 29");
        }
        this.plan = plan;
        this.withLabel = withLabel;
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        groupCount = plan.groups().size();
        contextBit = 1 << groupCount;
        labelBit = 1 << (groupCount + 1);
        complete = (1 << groupCount) - 1 | contextBit | (withLabel ? labelBit : 0);
        contextWidth = plan.context().length;
        pending =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("row", EngineTypes.PENDING_ROW));
        incomplete =
                getRuntimeContext().getMetricGroup().counter(PipelineCounters.INCOMPLETE_VECTORS);
        emitted = getRuntimeContext().getMetricGroup().counter(PipelineCounters.VECTORS);
        incompleteTotal = getRuntimeContext().getLongCounter(PipelineCounters.INCOMPLETE_VECTORS);
        emittedTotal = getRuntimeContext().getLongCounter(PipelineCounters.VECTORS);
    }

    @Override
    public void processElement(VectorPart part, Context ctx, Collector<FeatureRow> out)
            throws Exception {
        if (part.part == VectorPart.LABEL && !withLabel) {
            // before touching state: a label nobody waits for must not start a row or a timer
            return;
        }
        PendingRow p = pending.value();
        if (p == null) {
            p = new PendingRow();
            p.values = new Object[plan.width() - (plan.hasLabel() && !withLabel ? 1 : 0)];
            p.deadline = part.time + timeoutMillis;
            ctx.timerService().registerEventTimeTimer(p.deadline);
        }
        if (p.reported) {
            pending.update(p);
            return;
        }
        if (part.part == VectorPart.LATE) {
            report(
                    ctx,
                    part.id,
                    plan.queryKind().name()
                            + " at "
                            + Instant.ofEpochMilli(part.time)
                            + " was late (not after the watermark "
                            + Instant.ofEpochMilli(part.watermark)
                            + "): no exact row");
            p.reported = true;
            pending.update(p);
            return;
        }
        if (part.part == VectorPart.CONTEXT) {
            p.time = part.time;
            System.arraycopy(part.values, 0, p.values, 0, contextWidth);
            p.received |= contextBit;
        } else if (part.part == VectorPart.LABEL) {
            p.values[p.values.length - 1] = part.values[0];
            p.received |= labelBit;
        } else {
            SpecPlan.Group g = plan.groups().get(part.part);
            for (int s = 0; s < g.size(); s++) {
                p.values[contextWidth + g.slot(s).feature()] = part.values[s];
            }
            p.received |= 1 << part.part;
        }
        if (p.received == complete) {
            out.collect(new FeatureRow(part.id, p.time, p.values));
            emitted.inc();
            emittedTotal.add(1L);
            ctx.timerService().deleteEventTimeTimer(p.deadline);
            pending.clear();
        } else {
            pending.update(p);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureRow> out)
            throws Exception {
        PendingRow p = pending.value();
        if (p == null) {
            return;
        }
        if (!p.reported) {
            report(ctx, ctx.getCurrentKey(), missing(p.received));
        }
        pending.clear();
    }

    private void report(Context ctx, long id, String why) {
        incomplete.inc();
        incompleteTotal.add(1L);
        ctx.output(INCOMPLETE, new IncompleteVector(id, why));
    }

    private String missing(int received) {
        List<String> parts = new ArrayList<>();
        for (int g = 0; g < groupCount; g++) {
            if ((received & (1 << g)) == 0) {
                parts.add("features keyed by " + plan.groups().get(g).key());
            }
        }
        if ((received & contextBit) == 0) {
            parts.add(plan.queryKind().name());
        }
        if (withLabel && (received & labelBit) == 0) {
            parts.add("label (" + plan.labelKind().name() + ")");
        }
        return String.join("; ", parts);
    }
}
