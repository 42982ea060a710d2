package dev.parity.features.flink;

import dev.parity.features.api.FeatureSet;
import dev.parity.features.core.FeatureGroup;
import dev.parity.features.core.FeatureVector;
import dev.parity.features.engine.IncompleteVector;
import dev.parity.features.engine.PipelineCounters;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Joins the parts of one flight (each group's values, the context and, for training files, the
 * label) back into one {@link FeatureVector}, keyed by flight id. The vector is emitted as soon as
 * the last part arrives and its state is cleared. A flight that is still incomplete when an
 * event-time timer {@code timeout} after its first part fires goes to {@link #INCOMPLETE} with what
 * was missing, so state is bounded and nothing disappears silently. A flight whose departure was
 * late ({@link FlightPart#LATE}) is reported at once and its remaining parts are absorbed until
 * that deadline.
 */
public final class FeatureJoinFunction
        extends KeyedProcessFunction<Long, FlightPart, FeatureVector> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<IncompleteVector> INCOMPLETE =
            new OutputTag<>("incomplete-vectors") {};

    private final FeatureSet set;
    private final boolean withLabel;
    private final long timeoutMillis;

    private transient int groupCount;
    private transient int contextBit;
    private transient int labelBit;
    private transient int complete;
    private transient ValueState<PendingVector> pending;
    private transient Counter incomplete;
    private transient Counter emitted;
    private transient LongCounter incompleteTotal;
    private transient LongCounter emittedTotal;

    public FeatureJoinFunction(FeatureSet set, boolean withLabel, Duration timeout) {
        this.set = set;
        this.withLabel = withLabel;
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        groupCount = FeatureGroup.plan(set).size();
        contextBit = 1 << groupCount;
        labelBit = 1 << (groupCount + 1);
        complete = (1 << groupCount) - 1 | contextBit | (withLabel ? labelBit : 0);
        pending =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "vector", TypeInformation.of(PendingVector.class)));
        incomplete =
                getRuntimeContext().getMetricGroup().counter(PipelineCounters.INCOMPLETE_VECTORS);
        emitted = getRuntimeContext().getMetricGroup().counter(PipelineCounters.VECTORS);
        incompleteTotal = getRuntimeContext().getLongCounter(PipelineCounters.INCOMPLETE_VECTORS);
        emittedTotal = getRuntimeContext().getLongCounter(PipelineCounters.VECTORS);
    }

    @Override
    public void processElement(FlightPart part, Context ctx, Collector<FeatureVector> out)
            throws Exception {
        if (part.kind == FlightPart.LABEL && !withLabel) {
            // before touching state: a stray label must not start a vector or leave a timer
            return;
        }
        PendingVector p = pending.value();
        if (p == null) {
            p = new PendingVector();
            p.vector = new FeatureVector();
            p.vector.id = part.id;
            p.vector.values = new double[set.windowFeatures().size()];
            Arrays.fill(p.vector.values, Double.NaN);
            p.deadline = part.time + timeoutMillis;
            ctx.timerService().registerEventTimeTimer(p.deadline);
        }
        if (p.reported) {
            // the flight was already reported incomplete (a late departure): nothing more to do
            // until the deadline clears it, whatever else of it still arrives
            pending.update(p);
            return;
        }
        if (part.kind == FlightPart.LATE) {
            reportIncomplete(
                    ctx,
                    p.vector.id,
                    "departure at "
                            + Instant.ofEpochMilli(part.time)
                            + " was late (not after the watermark "
                            + Instant.ofEpochMilli(part.watermark)
                            + "): no exact vector");
            p.reported = true;
            pending.update(p);
            return;
        }
        if (part.kind == FlightPart.CONTEXT) {
            p.vector.setContext(part.time, part.origin, part.dest, part.distance);
            p.received |= contextBit;
        } else if (part.kind == FlightPart.LABEL) {
            p.vector.label = part.label;
            p.received |= labelBit;
        } else {
            for (int i = 0; i < part.values.length; i++) {
                if (!Double.isNaN(part.values[i])) {
                    p.vector.values[i] = part.values[i];
                }
            }
            p.received |= 1 << part.kind;
        }
        if (p.received == complete) {
            out.collect(p.vector);
            emitted.inc();
            emittedTotal.add(1L);
            ctx.timerService().deleteEventTimeTimer(p.deadline);
            pending.clear();
        } else {
            pending.update(p);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureVector> out)
            throws Exception {
        PendingVector p = pending.value();
        if (p == null) {
            return;
        }
        if (!p.reported) {
            reportIncomplete(ctx, p.vector.id, missing(p.received));
        }
        pending.clear();
    }

    private void reportIncomplete(Context ctx, long id, String why) {
        incomplete.inc();
        incompleteTotal.add(1L);
        ctx.output(INCOMPLETE, new IncompleteVector(id, why));
    }

    private String missing(int received) {
        List<String> parts = new ArrayList<>();
        for (int g = 0; g < groupCount; g++) {
            if ((received & (1 << g)) == 0) {
                parts.add("group " + g + " features");
            }
        }
        if ((received & contextBit) == 0) {
            parts.add("departure");
        }
        if (withLabel && (received & labelBit) == 0) {
            parts.add("label (arrival)");
        }
        return String.join("; ", parts);
    }
}
