package dev.parity.compression;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SelectionTest {
    private static CompressionReport.Entry entry(
            String v, long size, double rowsPerS, Double mae, double p50) {
        CompressionReport.Entry e = new CompressionReport.Entry();
        e.version = v;
        e.method = v.equals("1") ? "teacher" : "x";
        e.sizeBytes = size;
        e.batchRowsPerSecond = rowsPerS;
        e.batchRows = 256;
        e.mae = mae;
        e.latencyP50Micros = p50;
        e.meanAbsDiff = mae == null ? null : 0.0;
        return e;
    }

    @Test
    void fastestWithinBudget() {
        CompressionReport.Entry t = entry("1", 1000, 100, 10.0, 10);
        CompressionReport.Entry fastButBad = entry("1-a", 300, 900, 10.2, 5); // +2 %
        CompressionReport.Entry fast = entry("1-b", 500, 300, 10.05, 6); // +0.5 %
        CompressionReport.Entry small = entry("1-c", 250, 150, 10.09, 7); // +0.9 %
        List<CompressionReport.Entry> vs = List.of(fastButBad, fast, small);
        String why = Selection.select(t, vs, 0.01, Selection.Mode.FASTEST, 1);
        assertThat(fast.selected).isTrue();
        assertThat(fastButBad.withinBudget).isFalse();
        assertThat(small.withinBudget).isTrue();
        assertThat(why).startsWith("1-b").contains("2 variant(s)");
        Selection.select(t, vs, 0.01, Selection.Mode.SMALLEST, 1);
        assertThat(small.selected).isTrue();
        assertThat(fast.selected).isFalse();
        // A wider budget lets the fastest in.
        Selection.select(t, vs, 0.05, Selection.Mode.FASTEST, 1);
        assertThat(fastButBad.selected).isTrue();
    }

    @Test
    void teacherWhenNothingQualifies() {
        CompressionReport.Entry t = entry("1", 1000, 100, 10.0, 10);
        CompressionReport.Entry bad = entry("1-a", 300, 900, 11.0, 5);
        String why = Selection.select(t, List.of(bad), 0.01, Selection.Mode.FASTEST, 1);
        assertThat(t.selected).isTrue();
        assertThat(bad.selected).isFalse();
        assertThat(why).startsWith("teacher kept");
    }

    @Test
    void aVariantMustBeClearlyFasterOrSmallerThanTheTeacher() {
        CompressionReport.Entry t = entry("1", 1000, 100, 10.0, 10);
        CompressionReport.Entry noise = entry("1-a", 1000, 103, 10.0, 10); // within timing noise
        Selection.select(t, List.of(noise), 0.01, Selection.Mode.FASTEST, 1);
        assertThat(t.selected).isTrue();
        assertThat(noise.withinBudget).isTrue();
        Selection.select(t, List.of(noise), 0.01, Selection.Mode.SMALLEST, 1);
        assertThat(t.selected).isTrue();
    }

    @Test
    void withoutLabelsAgreementDecides() {
        CompressionReport.Entry t = entry("1", 1000, 100, null, 10);
        t.meanAbsDiff = 0.0;
        CompressionReport.Entry close = entry("1-a", 300, 200, null, 5);
        close.meanAbsDiff = 0.01; // 0.5 % of mean |output| 2
        CompressionReport.Entry far = entry("1-b", 200, 900, null, 5);
        far.meanAbsDiff = 0.5;
        String why = Selection.select(t, List.of(close, far), 0.01, Selection.Mode.FASTEST, 2.0);
        assertThat(close.selected).isTrue();
        assertThat(why).contains("no labels");
    }

    @Test
    void paretoFrontier() {
        CompressionReport.Entry t = entry("1", 1000, 100, 10.0, 10);
        CompressionReport.Entry a = entry("1-a", 300, 900, 10.2, 5);
        CompressionReport.Entry dominated = entry("1-b", 500, 300, 10.3, 6);
        Selection.markPareto(List.of(t, a, dominated));
        assertThat(t.paretoSize).isTrue();
        assertThat(a.paretoSize).isTrue();
        assertThat(dominated.paretoSize).isFalse();
        assertThat(dominated.paretoLatency).isFalse();
    }
}
