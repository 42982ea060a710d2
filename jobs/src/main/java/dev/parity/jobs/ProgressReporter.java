package dev.parity.jobs;

import dev.parity.features.engine.PipelineCounters;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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

    private static final List<String> SHOWN =
            List.of(
                    PipelineCounters.ROWS_READ,
                    PipelineCounters.ROWS_REJECTED,
                    PipelineCounters.LATE_EVENTS,
                    PipelineCounters.VECTORS);

    private final Map<String, List<Counter>> counters = new ConcurrentHashMap<>();
    private final PrintStream out = System.err;
    private long totalRows;
    private long startNanos;
    private long lastRead = -1;

    @Override
    public void open(MetricConfig config) {
        totalRows = config.getLong(TOTAL_ROWS, 0L);
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
        if (read == lastRead && read > 0 && sum(PipelineCounters.VECTORS) == 0) {
            return;
        }
        lastRead = read;
        double secs = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        StringBuilder line = new StringBuilder("[progress] ");
        line.append(String.format("%,d rows read", read));
        if (totalRows > 0) {
            line.append(String.format(" (%.0f%%)", 100.0 * read / totalRows));
        }
        line.append(String.format(", %,.0f rows/s", read / secs));
        line.append(String.format(" | %,d vectors", sum(PipelineCounters.VECTORS)));
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

    /** Factory named in the reporter configuration. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new ProgressReporter();
        }
    }
}
