package dev.parity.jobs;

import dev.parity.features.engine.PipelineCounters;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.metrics.reporter.Scheduled;

/**
 * Prints one progress line at every report interval for a job run by the launcher on a local Flink:
 * the pipeline's counters summed over subtasks, and the read rate. Registered through Flink's
 * reporter configuration ({@code metrics.reporter.progress.factory.class}), so it reads the same
 * metrics a dashboard would; on a cluster the web UI shows them instead.
 */
public final class ProgressReporter implements MetricReporter, Scheduled {
    /** Config key: total rows expected, for a percentage (optional). */
    public static final String TOTAL_ROWS = "totalRows";

    /** The scoring operator's counter of scored records (a job with a model has it). */
    static final String SCORED = "recordsScored";

    /** Config key: the runtime mode, {@code BATCH} or {@code STREAMING} (optional). */
    public static final String MODE = "mode";

    /**
     * Config key: how often, in milliseconds, a phase without new counts is still reported, so that
     * a run never looks hung (default 10 s).
     */
    public static final String QUIET_MILLIS = "quietMillis";

    private static final List<String> SHOWN =
            List.of(
                    PipelineCounters.ROWS_READ,
                    PipelineCounters.ROWS_REJECTED,
                    PipelineCounters.LATE_EVENTS,
                    PipelineCounters.VECTORS,
                    SCORED);

    private final Map<String, List<Counter>> counters = new ConcurrentHashMap<>();
    private final PrintStream out;
    private long quietNanos;
    private long totalRows;
    private long startNanos;
    private long lastRead = -1;
    private long lastVectors = -1;
    private long lastPrinted;
    private boolean batch;

    public ProgressReporter() {
        this(System.err);
    }

    ProgressReporter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void open(MetricConfig config) {
        quietNanos = config.getLong(QUIET_MILLIS, 10_000L) * 1_000_000L;
        totalRows = config.getLong(TOTAL_ROWS, 0L);
        batch = "BATCH".equals(config.getString(MODE, ""));
        startNanos = System.nanoTime();
    }

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Counter && SHOWN.contains(name)) {
            counters.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add((Counter) metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        // Keep finished subtasks' counters: their counts are part of the total.
    }

    @Override
    public void report() {
        long read = sum(PipelineCounters.ROWS_READ);
        long vectors = sum(PipelineCounters.VECTORS);
        long now = System.nanoTime();
        double secs = Math.max(1e-9, (now - startNanos) / 1e9);
        if (read == lastRead && vectors == lastVectors && read > 0) {
            // nothing moved: say what the job is doing, every so often, instead of going silent
            if (now - lastPrinted >= quietNanos) {
                lastPrinted = now;
                out.println(
                        String.format(
                                "[progress] %,d rows read, %,d vectors; %s | %.0fs",
                                read,
                                vectors,
                                batch && vectors == 0
                                        ? "Flink is sorting the events by key (BATCH runs each"
                                                + " keyed operator on sorted input; no vectors"
                                                + " until the sort is done)"
                                        : "computing (no new counts since the last report)",
                                secs));
            }
            return;
        }
        lastRead = read;
        lastVectors = vectors;
        lastPrinted = now;
        StringBuilder line = new StringBuilder("[progress] ");
        line.append(String.format("%,d rows read", read));
        if (totalRows > 0) {
            line.append(String.format(" (%.0f%%)", 100.0 * read / totalRows));
        }
        line.append(String.format(", %,.0f rows/s", read / secs));
        line.append(String.format(" | %,d vectors", vectors));
        if (counters.containsKey(SCORED)) {
            line.append(String.format(" | %,d predictions", sum(SCORED)));
        }
        line.append(String.format(" | %,d rejected", sum(PipelineCounters.ROWS_REJECTED)));
        line.append(String.format(" | %,d late", sum(PipelineCounters.LATE_EVENTS)));
        line.append(String.format(" | %.0fs", secs));
        out.println(line);
    }

    private long sum(String name) {
        long total = 0;
        for (Counter c : counters.getOrDefault(name, List.of())) {
            total += c.getCount();
        }
        return total;
    }

    /**
     * Installs this reporter in {@code conf}: a line every {@code interval} ({@link Duration#ZERO}:
     * none), worded for a run in {@code mode}.
     */
    public static void install(Configuration conf, Duration interval, RuntimeExecutionMode mode) {
        if (interval.isZero()) {
            return;
        }
        conf.setString("metrics.reporter.progress.factory.class", Factory.class.getName());
        conf.setString("metrics.reporter.progress." + MODE, mode.name());
        conf.setString("metrics.reporter.progress.interval", interval.toMillis() + " ms");
    }

    /** Factory named in the reporter configuration. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new ProgressReporter();
        }
    }
}
