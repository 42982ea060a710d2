package dev.parity.features.flink;

import dev.parity.features.engine.PipelineCounters;
import dev.parity.features.events.EventExpansion;
import dev.parity.features.events.FlightEvent;
import dev.parity.features.io.RowResult;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Expands valid rows into their departure and arrival events with the shared {@link
 * EventExpansion}, and sends rejected rows to {@link #REJECTED}. Counts both.
 */
public final class RowsToEvents extends ProcessFunction<RowResult, FlightEvent> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<RowResult> REJECTED = new OutputTag<>("rejected-rows") {};

    private transient Counter read;
    private transient Counter rejected;
    private transient LongCounter readTotal;
    private transient LongCounter rejectedTotal;

    @Override
    public void open(OpenContext openContext) {
        read = getRuntimeContext().getMetricGroup().counter(PipelineCounters.ROWS_READ);
        rejected = getRuntimeContext().getMetricGroup().counter(PipelineCounters.ROWS_REJECTED);
        readTotal = getRuntimeContext().getLongCounter(PipelineCounters.ROWS_READ);
        rejectedTotal = getRuntimeContext().getLongCounter(PipelineCounters.ROWS_REJECTED);
    }

    @Override
    public void processElement(RowResult r, Context ctx, Collector<FlightEvent> out) {
        read.inc();
        readTotal.add(1L);
        if (r.isValid()) {
            EventExpansion.expand(r.row, out::collect);
        } else {
            rejected.inc();
            rejectedTotal.add(1L);
            ctx.output(REJECTED, r);
        }
    }
}
