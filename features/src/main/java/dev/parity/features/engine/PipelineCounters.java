package dev.parity.features.engine;

/**
 * Names of the counters the feature operators keep, both as Flink metrics (live, for dashboards and
 * progress) and as accumulators (exact totals in the job result, for run summaries).
 */
public final class PipelineCounters {
    public static final String ROWS_READ = "parityRowsRead";
    public static final String ROWS_REJECTED = "parityRowsRejected";
    public static final String LATE_EVENTS = "parityLateEvents";
    public static final String VECTORS = "parityVectors";
    public static final String INCOMPLETE_VECTORS = "parityIncompleteVectors";

    private PipelineCounters() {}
}
