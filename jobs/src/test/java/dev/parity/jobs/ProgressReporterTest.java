package dev.parity.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.engine.PipelineCounters;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/** The progress lines of a local run, also while nothing moves (BATCH's sort phase). */
class ProgressReporterTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final SimpleCounter read = new SimpleCounter();
    private final SimpleCounter vectors = new SimpleCounter();

    private ProgressReporter reporter(String mode, long quietMillis) {
        ProgressReporter r =
                new ProgressReporter(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        MetricConfig config = new MetricConfig();
        config.setProperty(ProgressReporter.MODE, mode);
        config.setProperty(ProgressReporter.QUIET_MILLIS, Long.toString(quietMillis));
        r.open(config);
        UnregisteredMetricsGroup group = new UnregisteredMetricsGroup();
        r.notifyOfAddedMetric(read, PipelineCounters.ROWS_READ, group);
        r.notifyOfAddedMetric(vectors, PipelineCounters.VECTORS, group);
        return r;
    }

    private String[] lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toArray(String[]::new);
    }

    @Test
    void theSortPhaseOfABatchRunIsReportedInsteadOfSilence() {
        ProgressReporter r = reporter("BATCH", 0);
        read.inc(3_000_000);
        r.report();
        r.report(); // all rows read, no vector yet: the sort
        vectors.inc(10);
        r.report();

        String[] lines = lines();
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).startsWith("[progress] 3,000,000 rows read").contains("| 0 vectors");
        assertThat(lines[1])
                .startsWith(
                        "[progress] 3,000,000 rows read, 0 vectors; Flink is sorting the events by key");
        assertThat(lines[2]).contains("| 10 vectors");
    }

    @Test
    void aQuietPhaseIsReportedAtMostOncePerInterval() {
        ProgressReporter r = reporter("STREAMING", 3_600_000);
        read.inc(5);
        r.report();
        r.report();
        r.report();

        assertThat(lines()).hasSize(1); // the quiet ones wait for the hour to pass
        ProgressReporter now = reporter("STREAMING", 0);
        bytes.reset();
        now.report();
        now.report();
        assertThat(lines()).hasSize(2);
        assertThat(lines()[1]).contains("computing (no new counts since the last report)");
    }
}
