package dev.parity.features.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * job wants it, the label) into one {@link FeatureRow}, keyed by query id, and enforces that ids
 * are unique within an event kind. Everything that gets no row goes to {@link #INCOMPLETE} with the
 * reason, so nothing disappears silently.
 *
 * <p><b>Duplicate ids.</b> Every part carries the time of the event it comes from, so the join can
 * tell the events of one id apart: of the query events with one id, the earliest gets the row, and
 * each later one is reported as {@code duplicate id}. Query events at the same time cannot be told
 * apart: when their values agree the row is the same whichever is taken, so it is emitted and the
 * others reported; when they differ, none gets a row. Label events of their own kind (the flights
 * arrival) follow the same rule. The outcome depends only on the set of parts, not on their order,
 * so BATCH (which sorts a key's parts by time) and STREAMING agree.
 *
 * <p><b>When a row is emitted.</b> Once complete and once the watermark has passed its query (and
 * label) time: only then have all events at that time arrived (a later one would be late at the
 * router). The groups answer a query only at that watermark anyway, so this costs no latency.
 *
 * <p><b>Generations and state.</b> An id's state lives from its earliest part until {@code timeout}
 * after it; an incomplete row is reported then, naming what is missing. After the row is out only a
 * small tombstone stays, to recognise duplicates until that deadline. A part at or after the
 * deadline starts a new generation of the id (a new row), in both modes alike; ids are expected to
 * be unique, and the timeout bounds how long the join remembers them.
 *
 * <p>A late query ({@link VectorPart#LATE}) is reported at once; its label then completes nothing
 * and is not reported again.
 */
public final class JoinFunction extends KeyedProcessFunction<Long, VectorPart, FeatureRow> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<IncompleteVector> INCOMPLETE =
            new OutputTag<>("incomplete-rows", TypeInformation.of(IncompleteVector.class));

    private static final Object[] NO_VALUES = new Object[0];

    private final SpecPlan plan;
    private final boolean withLabel;
    private final long timeoutMillis;

    private transient int groupCount;
    private transient int contextBit;
    private transient int labelBit;
    private transient int complete;
    private transient int queryBits;
    private transient boolean labelOfItsOwnKind;
    private transient int contextWidth;
    private transient int rowWidth;
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
        labelOfItsOwnKind = plan.hasLabel() && plan.labelKind().index() != plan.queryKind().index();
        queryBits = (1 << groupCount) - 1 | contextBit | (labelOfItsOwnKind ? 0 : labelBit);
        contextWidth = plan.context().length;
        rowWidth = plan.width() - (plan.hasLabel() && !withLabel ? 1 : 0);
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
        long t = part.time;
        PendingRow p = pending.value();
        if (p == null) {
            p = newGeneration(ctx, t, Long.MIN_VALUE);
        } else if (t < p.retiredUntil) {
            partOfARetiredGeneration(ctx, part);
            return;
        } else if (t >= p.deadline) {
            finish(ctx, p, out);
            p = newGeneration(ctx, t, p.deadline);
        } else if (t < p.start) {
            ctx.timerService().deleteEventTimeTimer(p.deadline);
            p.start = t;
            p.deadline = deadlineOf(t);
            ctx.timerService().registerEventTimeTimer(p.deadline);
        }

        if (part.part == VectorPart.LATE) {
            reportLate(ctx, part);
            p.set(PendingRow.LATE_SEEN);
        } else if (part.part == VectorPart.LABEL && labelOfItsOwnKind) {
            onLabelPart(ctx, p, part);
        } else {
            onQueryPart(ctx, p, part);
        }

        if (!p.has(PendingRow.EMITTED) && p.received == complete) {
            long at = p.queryTime;
            if (withLabel && labelOfItsOwnKind) {
                at = Math.max(at, p.labelTime);
            }
            if (at <= ctx.timerService().currentWatermark()) {
                emit(ctx, p, out);
            } else if (p.emitAt != at) {
                if (p.emitAt != PendingRow.NONE) {
                    ctx.timerService().deleteEventTimeTimer(p.emitAt);
                }
                p.emitAt = at;
                ctx.timerService().registerEventTimeTimer(at);
            }
        }
        pending.update(p);
    }

    /** A group's values, the context, or a label that is a field of the query event. */
    private void onQueryPart(Context ctx, PendingRow p, VectorPart part) {
        long t = part.time;
        boolean isContext = part.part == VectorPart.CONTEXT;
        if (p.has(PendingRow.EMITTED) || t > p.queryTime) {
            // another query event with this id; its context stands for it, once
            if (isContext) {
                reportDuplicate(
                        ctx,
                        plan.queryKind().name(),
                        t,
                        t > p.queryTime
                                ? "an earlier " + plan.queryKind().name() + " has this id"
                                : "another " + plan.queryKind().name() + " has this id");
            }
            return;
        }
        if (t < p.queryTime) {
            // an earlier query event: the ones at the old time are its duplicates
            for (int i = 0; i < p.queryCount; i++) {
                reportDuplicate(
                        ctx,
                        plan.queryKind().name(),
                        p.queryTime,
                        "an earlier " + plan.queryKind().name() + " has this id");
            }
            p.received &= ~queryBits;
            p.queryCount = 0;
            p.flags &= ~PendingRow.QUERY_CONFLICT;
            p.queryTime = t;
            cancelEmission(ctx, p);
        }
        if (isContext) {
            p.queryCount++;
        }
        if (!fill(p, part)) {
            p.set(PendingRow.QUERY_CONFLICT);
        }
    }

    /** A label from an event kind of its own (the flights arrival), by the same rule. */
    private void onLabelPart(Context ctx, PendingRow p, VectorPart part) {
        long t = part.time;
        String kind = plan.labelKind().name();
        if (p.has(PendingRow.EMITTED) || t > p.labelTime) {
            reportDuplicate(
                    ctx,
                    kind,
                    t,
                    t > p.labelTime
                            ? "an earlier " + kind + " has this id"
                            : "another " + kind + " has this id");
            return;
        }
        if (t < p.labelTime) {
            for (int i = 0; i < p.labelCount; i++) {
                reportDuplicate(ctx, kind, p.labelTime, "an earlier " + kind + " has this id");
            }
            p.received &= ~labelBit;
            p.labelCount = 0;
            p.flags &= ~PendingRow.LABEL_CONFLICT;
            p.labelTime = t;
            cancelEmission(ctx, p);
        }
        p.labelCount++;
        if (!fill(p, part)) {
            p.set(PendingRow.LABEL_CONFLICT);
        }
    }

    /**
     * Puts the part's values into the row, or, when that part is already there (an event at the
     * same time with the same id), compares them: false when they differ.
     */
    private boolean fill(PendingRow p, VectorPart part) {
        int bit;
        if (part.part == VectorPart.CONTEXT) {
            bit = contextBit;
        } else if (part.part == VectorPart.LABEL) {
            bit = labelBit;
        } else {
            bit = 1 << part.part;
        }
        boolean seen = (p.received & bit) != 0;
        p.received |= bit;
        if (part.part == VectorPart.CONTEXT) {
            return put(p.values, 0, part.values, 0, contextWidth, seen);
        } else if (part.part == VectorPart.LABEL) {
            return put(p.values, p.values.length - 1, part.values, 0, 1, seen);
        }
        SpecPlan.Group g = plan.groups().get(part.part);
        boolean same = true;
        for (int s = 0; s < g.size(); s++) {
            same &= put(p.values, contextWidth + g.slot(s).feature(), part.values, s, 1, seen);
        }
        return same;
    }

    private static boolean put(
            Object[] row, int at, Object[] values, int from, int length, boolean compare) {
        for (int i = 0; i < length; i++) {
            if (!compare) {
                row[at + i] = values[from + i];
            } else if (!Objects.equals(row[at + i], values[from + i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureRow> out)
            throws Exception {
        PendingRow p = pending.value();
        if (p == null) {
            return;
        }
        if (timestamp == p.emitAt) {
            p.emitAt = PendingRow.NONE;
            if (!p.has(PendingRow.EMITTED) && p.received == complete) {
                emit(ctx, p, out);
            }
        }
        if (timestamp == p.deadline) {
            finish(ctx, p, out);
            pending.clear();
            return;
        }
        pending.update(p);
    }

    /** The row (or, for a conflict, no row) and the reports of same-time duplicates. */
    private void emit(Context ctx, PendingRow p, Collector<FeatureRow> out) {
        boolean conflict = p.has(PendingRow.QUERY_CONFLICT) || p.has(PendingRow.LABEL_CONFLICT);
        if (!conflict) {
            out.collect(new FeatureRow(ctx.getCurrentKey(), p.queryTime, p.values));
            emitted.inc();
            emittedTotal.add(1L);
        }
        reportSameTime(ctx, p);
        cancelEmission(ctx, p);
        p.set(PendingRow.EMITTED);
        p.values = NO_VALUES;
    }

    /** The end of a generation: what never completed is reported. */
    private void finish(Context ctx, PendingRow p, Collector<FeatureRow> out) {
        ctx.timerService().deleteEventTimeTimer(p.deadline);
        if (p.has(PendingRow.EMITTED)) {
            return;
        }
        if (p.received == complete) {
            emit(ctx, p, out);
            return;
        }
        cancelEmission(ctx, p);
        boolean onlyALateQuery = p.queryTime == PendingRow.NONE && p.has(PendingRow.LATE_SEEN);
        if (!onlyALateQuery && !p.has(PendingRow.QUERY_CONFLICT)) {
            report(ctx, ctx.getCurrentKey(), missing(p.received));
        }
        reportSameTime(ctx, p);
        p.set(PendingRow.EMITTED);
    }

    private void reportSameTime(Context ctx, PendingRow p) {
        reportSameTime(
                ctx,
                plan.queryKind().name(),
                p.queryTime,
                p.queryCount,
                p.has(PendingRow.QUERY_CONFLICT));
        if (labelOfItsOwnKind && withLabel) {
            reportSameTime(
                    ctx,
                    plan.labelKind().name(),
                    p.labelTime,
                    p.labelCount,
                    p.has(PendingRow.LABEL_CONFLICT));
        }
    }

    private void reportSameTime(Context ctx, String kind, long time, int count, boolean differ) {
        if (differ) {
            for (int i = 0; i < count; i++) {
                report(
                        ctx,
                        ctx.getCurrentKey(),
                        "duplicate id: "
                                + count
                                + " "
                                + kind
                                + " events at "
                                + Instant.ofEpochMilli(time)
                                + " have this id and differ: no row");
            }
        } else {
            for (int i = 1; i < count; i++) {
                reportDuplicate(
                        ctx, kind, time, "another " + kind + " at the same time has this id");
            }
        }
    }

    private void cancelEmission(Context ctx, PendingRow p) {
        if (p.emitAt != PendingRow.NONE) {
            ctx.timerService().deleteEventTimeTimer(p.emitAt);
            p.emitAt = PendingRow.NONE;
        }
    }

    private PendingRow newGeneration(Context ctx, long start, long retiredUntil) {
        PendingRow p = new PendingRow();
        p.start = start;
        p.deadline = deadlineOf(start);
        p.retiredUntil = retiredUntil;
        p.values = new Object[rowWidth];
        ctx.timerService().registerEventTimeTimer(p.deadline);
        return p;
    }

    private long deadlineOf(long start) {
        return start > Long.MAX_VALUE - 1 - timeoutMillis
                ? Long.MAX_VALUE - 1
                : start + timeoutMillis;
    }

    /** A part older than the id's current generation: the earlier generation owned that time. */
    private void partOfARetiredGeneration(Context ctx, VectorPart part) {
        if (part.part == VectorPart.LATE) {
            reportLate(ctx, part);
        } else if (part.part == VectorPart.CONTEXT) {
            reportDuplicate(
                    ctx,
                    plan.queryKind().name(),
                    part.time,
                    "another " + plan.queryKind().name() + " has this id");
        } else if (part.part == VectorPart.LABEL && labelOfItsOwnKind) {
            reportDuplicate(
                    ctx,
                    plan.labelKind().name(),
                    part.time,
                    "another " + plan.labelKind().name() + " has this id");
        }
    }

    private void reportLate(Context ctx, VectorPart part) {
        report(
                ctx,
                part.id,
                plan.queryKind().name()
                        + " at "
                        + Instant.ofEpochMilli(part.time)
                        + " was late (not after the watermark "
                        + Instant.ofEpochMilli(part.watermark)
                        + "): no exact row");
    }

    private void reportDuplicate(Context ctx, String kind, long time, String why) {
        report(
                ctx,
                ctx.getCurrentKey(),
                "duplicate id: " + kind + " at " + Instant.ofEpochMilli(time) + "; " + why);
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
