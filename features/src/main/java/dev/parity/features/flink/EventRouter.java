package dev.parity.features.flink;

import dev.parity.features.api.EventType;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.core.FeatureGroup;
import dev.parity.features.events.FlightEvent;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends every event to the feature groups that use it, and the departure's context and the
 * arrival's label to the join. Late events are detected here, once, before fan-out: an event whose
 * time is not after the current watermark goes to {@link #LATE} and is counted, so the groups and
 * the join see a consistent set of events.
 */
public final class EventRouter extends ProcessFunction<FlightEvent, GroupInput> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<FlightPart> PARTS = new OutputTag<>("flight-parts") {};
    public static final OutputTag<LateEvent> LATE = new OutputTag<>("late-events") {};

    private final FeatureSet set;
    private final boolean withLabel;
    private transient List<FeatureGroup> groups;
    private transient Counter late;
    private transient LongCounter lateTotal;

    public EventRouter(FeatureSet set, boolean withLabel) {
        this.set = set;
        this.withLabel = withLabel;
    }

    @Override
    public void open(OpenContext openContext) {
        groups = FeatureGroup.plan(set);
        late = getRuntimeContext().getMetricGroup().counter(PipelineCounters.LATE_EVENTS);
        lateTotal = getRuntimeContext().getLongCounter(PipelineCounters.LATE_EVENTS);
    }

    @Override
    public void processElement(FlightEvent e, Context ctx, Collector<GroupInput> out) {
        long watermark = ctx.timerService().currentWatermark();
        if (e.time <= watermark) {
            late.inc();
            lateTotal.add(1L);
            ctx.output(LATE, new LateEvent(e, watermark));
            return;
        }
        boolean departure = e.type == EventType.DEPARTURE;
        for (FeatureGroup g : groups) {
            boolean contributes = g.consumes(e.type);
            if (contributes || departure) {
                String key = GroupKeys.of(g.index(), g.key().keyOf(e.origin, e.dest));
                out.collect(new GroupInput(key, g.index(), contributes, departure, e));
            }
        }
        if (departure) {
            ctx.output(PARTS, FlightPart.context(e.id, e.time, e.origin, e.dest, e.distance));
        } else if (withLabel) {
            ctx.output(PARTS, FlightPart.label(e.id, e.time, e.delay));
        }
    }
}
