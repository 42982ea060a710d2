package dev.parity.jobs.batch;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * Passes records through, counting them as a metric (live progress) and an accumulator (exact total
 * in the job result). Placed right before a sink, it counts what the sink was given.
 */
final class Counted<T> extends RichMapFunction<T, T> {
    private static final long serialVersionUID = 1L;
    private final String name;
    private transient Counter live;
    private transient LongCounter total;

    Counted(String name) {
        this.name = name;
    }

    @Override
    public void open(OpenContext openContext) {
        live = getRuntimeContext().getMetricGroup().counter(name);
        total = getRuntimeContext().getLongCounter(name);
    }

    @Override
    public T map(T value) {
        live.inc();
        total.add(1);
        return value;
    }
}
