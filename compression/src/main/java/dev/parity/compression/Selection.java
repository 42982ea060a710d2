package dev.parity.compression;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Picks the variant to deploy: among the variants whose quality is within the budget of the
 * teacher's and that beat the teacher on the criterion (at least {@link #MIN_SPEEDUP} times its
 * throughput, so that timing noise alone never replaces it, or a smaller file), the fastest
 * (highest throughput at the large batch) or the smallest (file bytes). The teacher is kept when
 * nothing qualifies. With labels the quality is the June MAE (within {@code budget} relative to the
 * teacher's); without labels it is agreement (mean |diff| within {@code budget} x the teacher's
 * mean |output|).
 */
public final class Selection {
    public enum Mode {
        FASTEST,
        SMALLEST
    }

    /** A variant must be this much faster than the teacher to count as faster (noise margin). */
    public static final double MIN_SPEEDUP = 1.05;

    private Selection() {}

    /** Marks {@code withinBudget} and {@code selected}; returns the reason. */
    public static String select(
            CompressionReport.Entry teacher,
            List<CompressionReport.Entry> variants,
            double budget,
            Mode mode,
            double teacherMeanAbsOutput) {
        boolean labels = teacher.mae != null;
        double limit =
                labels ? teacher.mae * (1 + budget) : budget * Math.abs(teacherMeanAbsOutput);
        CompressionReport.Entry best = null;
        Comparator<CompressionReport.Entry> order =
                mode == Mode.FASTEST
                        ? Comparator.comparingDouble((CompressionReport.Entry e) -> -speed(e))
                                .thenComparingLong(e -> e.sizeBytes)
                        : Comparator.comparingLong((CompressionReport.Entry e) -> e.sizeBytes)
                                .thenComparingDouble(e -> -speed(e));
        for (CompressionReport.Entry v : variants) {
            Double q = labels ? v.mae : v.meanAbsDiff;
            v.withinBudget = q != null && !q.isNaN() && q <= limit;
            v.selected = false;
            boolean better =
                    mode == Mode.FASTEST
                            ? speed(v) >= MIN_SPEEDUP * speed(teacher)
                            : v.sizeBytes < teacher.sizeBytes;
            if (v.withinBudget && better && (best == null || order.compare(v, best) < 0)) {
                best = v;
            }
        }
        String what =
                labels
                        ? String.format(
                                Locale.ROOT,
                                "June MAE <= %.4f (teacher %.4f + %.2f %%)",
                                limit,
                                teacher.mae,
                                budget * 100)
                        : String.format(
                                Locale.ROOT,
                                "mean |diff| to the teacher <= %.4g (%.2f %% of the teacher's mean"
                                        + " |output| %.4g; no labels)",
                                limit,
                                budget * 100,
                                teacherMeanAbsOutput);
        if (best == null) {
            teacher.selected = true;
            return "teacher kept: no variant "
                    + (mode == Mode.FASTEST
                            ? String.format(
                                    Locale.ROOT,
                                    "at least %.2fx as fast as the teacher",
                                    MIN_SPEEDUP)
                            : "smaller than the teacher")
                    + " with "
                    + what;
        }
        best.selected = true;
        teacher.selected = false;
        return String.format(
                Locale.ROOT,
                "%s: the %s of %d variant(s) with %s",
                best.version,
                mode == Mode.FASTEST
                        ? String.format(
                                Locale.ROOT,
                                "fastest at batch %d (%.2fx the teacher's throughput)",
                                best.batchRows,
                                speed(best) / speed(teacher))
                        : String.format(
                                Locale.ROOT,
                                "smallest file (%.2fx smaller than the teacher)",
                                (double) teacher.sizeBytes / best.sizeBytes),
                variants.stream().filter(v -> Boolean.TRUE.equals(v.withinBudget)).count(),
                what);
    }

    private static double speed(CompressionReport.Entry e) {
        return e.batchRowsPerSecond == null ? 0 : e.batchRowsPerSecond;
    }

    /**
     * Marks the Pareto frontiers over all entries: size, batch-1 latency and time per row at the
     * large batch, each against quality.
     */
    public static void markPareto(List<CompressionReport.Entry> all) {
        for (CompressionReport.Entry a : all) {
            a.paretoSize = true;
            a.paretoLatency = true;
            a.paretoThroughput = true;
            for (CompressionReport.Entry b : all) {
                if (a == b || a.quality() == null || b.quality() == null) {
                    continue;
                }
                if (dominates(b.sizeBytes, b.quality(), a.sizeBytes, a.quality())) {
                    a.paretoSize = false;
                }
                if (a.latencyP50Micros != null
                        && b.latencyP50Micros != null
                        && dominates(
                                b.latencyP50Micros, b.quality(), a.latencyP50Micros, a.quality())) {
                    a.paretoLatency = false;
                }
                if (a.batchRowsPerSecond != null
                        && b.batchRowsPerSecond != null
                        && dominates(
                                1 / b.batchRowsPerSecond,
                                b.quality(),
                                1 / a.batchRowsPerSecond,
                                a.quality())) {
                    a.paretoThroughput = false;
                }
            }
        }
    }

    private static boolean dominates(double x1, double y1, double x2, double y2) {
        return x1 <= x2 && y1 <= y2 && (x1 < x2 || y1 < y2);
    }
}
