package dev.parity.compression;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG, no script, no network) with two
 * charts, size vs quality and batch-1 latency vs quality, the Pareto frontier drawn through the
 * non-dominated models and the selected one ringed, then the full table and method statuses.
 */
final class ReportHtml {
    private static final int W = 560;
    private static final int H = 340;
    private static final int PAD_L = 70;
    private static final int PAD_R = 90;
    private static final int PAD_T = 20;
    private static final int PAD_B = 50;

    private ReportHtml() {}

    static String render(CompressionReport r) {
        String quality =
                r.qualityMetric.equals("june_mae")
                        ? "June MAE (min)"
                        : r.qualityMetric.equals("report_mae")
                                ? "report MAE (min)"
                                : "mean |diff| to teacher";
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>Compression report: ")
                .append(esc(r.modelName))
                .append("</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}")
                .append("table{border-collapse:collapse;font-size:13px}")
                .append("td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}")
                .append("td.l,th.l{text-align:left}tr.sel{background:#fff3c4;font-weight:bold}")
                .append(".charts{display:flex;flex-wrap:wrap;gap:24px}")
                .append("svg{background:#fafafa;border:1px solid #ddd}")
                .append(".small{font-size:12px;color:#555}")
                .append("</style></head><body>");
        h.append("<h1>Compression report: ")
                .append(esc(r.modelName))
                .append(" ")
                .append(esc(r.teacherVersion))
                .append("</h1>");
        h.append("<p>Teacher <code>")
                .append(esc(r.teacherLocation))
                .append("</code> (sha256 <code>")
                .append(esc(r.teacherSha256.substring(0, 12)))
                .append("…</code>). Quality measured on ")
                .append(esc(r.evaluatedOn))
                .append(" (")
                .append(String.format(Locale.ROOT, "%,d", r.evaluatedRows))
                .append(" rows). Created ")
                .append(esc(r.createdAt))
                .append(".</p>");
        h.append("<p><b>Selected: ")
                .append(esc(r.selected))
                .append("</b> — ")
                .append(esc(r.selectionReason))
                .append("</p>");
        h.append("<p class=\"small\">Speed: ")
                .append(esc(String.valueOf(r.benchmark.get("method"))))
                .append("; machine: ")
                .append(esc(r.machine))
                .append(".</p>");
        h.append("<div class=\"charts\">");
        h.append(
                chart(
                        r.models,
                        "File size (bytes, log scale) vs " + quality,
                        e -> e.sizeBytes,
                        true,
                        "size (bytes)",
                        quality,
                        e -> e.paretoSize));
        h.append(
                chart(
                        r.models,
                        "Latency at batch 1 (p50, µs) vs " + quality,
                        e -> e.latencyP50Micros == null ? Double.NaN : e.latencyP50Micros,
                        false,
                        "p50 latency (µs)",
                        quality,
                        e -> e.paretoLatency));
        h.append(
                chart(
                        r.models,
                        "Time per row at the large batch (µs, = 1 / throughput) vs " + quality,
                        e -> e.batchRowsPerSecond == null ? Double.NaN : 1e6 / e.batchRowsPerSecond,
                        false,
                        "µs per row at batch " + r.benchmark.get("batch_size"),
                        quality,
                        e -> e.paretoThroughput));
        h.append(
                "</div><p class=\"small\">● model, ○ ring: selected, red line: Pareto frontier"
                        + " (no other model is both smaller/faster and better), grey: teacher.</p>");
        h.append(
                        "<h2>Models</h2><table><tr><th class=\"l\">version</th><th class=\"l\">method</th>")
                .append("<th>bytes</th><th>x smaller</th><th>gzip bytes</th><th>params</th>")
                .append("<th>non-zero</th><th>p50 µs</th><th>p99 µs</th><th>rows/s @batch</th>")
                .append("<th>speed-up</th><th>MAE</th><th>RMSE</th><th>max |diff|</th>")
                .append("<th>mean |diff|</th><th>in budget</th><th>Pareto</th></tr>");
        for (CompressionReport.Entry e : r.models) {
            h.append(e.selected ? "<tr class=\"sel\">" : "<tr>")
                    .append("<td class=\"l\">")
                    .append(esc(e.version))
                    .append("</td><td class=\"l\">")
                    .append(esc(e.method))
                    .append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,d", e.sizeBytes))
                    .append("</td><td>")
                    .append(fmt(1 / e.sizeRatio, "%.2f"))
                    .append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,d", e.gzipBytes))
                    .append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,d", e.parameterCount))
                    .append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,d", e.nonZeroParameters))
                    .append("</td><td>")
                    .append(fmt(e.latencyP50Micros, "%.1f"))
                    .append("</td><td>")
                    .append(fmt(e.latencyP99Micros, "%.1f"))
                    .append("</td><td>")
                    .append(fmt(e.batchRowsPerSecond, "%,.0f"))
                    .append(" @")
                    .append(e.batchRows)
                    .append("</td><td>")
                    .append(fmt(e.speedup, "%.2f"))
                    .append("</td><td>")
                    .append(fmt(e.mae, "%.4f"))
                    .append("</td><td>")
                    .append(fmt(e.rmse, "%.4f"))
                    .append("</td><td>")
                    .append(fmt(e.maxAbsDiff, "%.3g"))
                    .append("</td><td>")
                    .append(fmt(e.meanAbsDiff, "%.3g"))
                    .append("</td><td>")
                    .append(e.withinBudget == null ? "" : e.withinBudget ? "yes" : "no")
                    .append("</td><td>")
                    .append(e.paretoSize ? "size " : "")
                    .append(e.paretoLatency ? "latency " : "")
                    .append(e.paretoThroughput ? "throughput" : "")
                    .append("</td></tr>");
        }
        h.append("</table>");
        h.append(
                        "<h2>Methods</h2><table><tr><th class=\"l\">method</th><th class=\"l\">status</th>")
                .append("<th class=\"l\">variants</th><th class=\"l\">reason / notes</th></tr>");
        for (CompressionReport.MethodStatus m : r.methods) {
            h.append("<tr><td class=\"l\">")
                    .append(esc(m.method))
                    .append("</td><td class=\"l\">")
                    .append(esc(m.status))
                    .append("</td><td class=\"l\">")
                    .append(esc(String.join(", ", m.variants)))
                    .append("</td><td class=\"l\">")
                    .append(esc(m.reason == null ? "" : m.reason))
                    .append("</td></tr>");
        }
        h.append("</table>");
        h.append("<h2>Left unchanged</h2>");
        if (r.unhandledConstructs.isEmpty()) {
            h.append("<p>Nothing: every operator of the teacher is one the job knows.</p>");
        } else {
            h.append("<ul>");
            for (String u : r.unhandledConstructs) {
                h.append("<li>").append(esc(u)).append("</li>");
            }
            h.append("</ul>");
        }
        h.append("<h2>Parameters and notes per variant</h2>");
        for (CompressionReport.Entry e : r.models) {
            if (e.parameters.isEmpty() && e.notes.isEmpty()) {
                continue;
            }
            h.append("<h3>").append(esc(e.version)).append("</h3><ul class=\"small\">");
            for (Map.Entry<String, String> p : e.parameters.entrySet()) {
                h.append("<li>")
                        .append(esc(p.getKey()))
                        .append(" = ")
                        .append(esc(p.getValue()))
                        .append("</li>");
            }
            for (String n : e.notes) {
                h.append("<li>").append(esc(n)).append("</li>");
            }
            h.append("</ul>");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static String chart(
            List<CompressionReport.Entry> models,
            String title,
            ToDoubleFunction<CompressionReport.Entry> xOf,
            boolean logX,
            String xLabel,
            String yLabel,
            java.util.function.Predicate<CompressionReport.Entry> onFrontier) {
        List<CompressionReport.Entry> pts = new ArrayList<>();
        for (CompressionReport.Entry e : models) {
            double x = xOf.applyAsDouble(e);
            if (e.quality() != null
                    && Double.isFinite(x)
                    && Double.isFinite(e.quality())
                    && (!logX || x > 0)) {
                pts.add(e);
            }
        }
        StringBuilder s = new StringBuilder();
        s.append("<figure><figcaption>").append(esc(title)).append("</figcaption>");
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(W)
                .append("\" height=\"")
                .append(H)
                .append("\" role=\"img\">");
        if (pts.isEmpty()) {
            return s.append("<text x=\"20\" y=\"40\">no data</text></svg></figure>").toString();
        }
        double xmin = Double.MAX_VALUE;
        double xmax = -Double.MAX_VALUE;
        double ymin = Double.MAX_VALUE;
        double ymax = -Double.MAX_VALUE;
        for (CompressionReport.Entry e : pts) {
            double x = tx(xOf.applyAsDouble(e), logX);
            xmin = Math.min(xmin, x);
            xmax = Math.max(xmax, x);
            ymin = Math.min(ymin, e.quality());
            ymax = Math.max(ymax, e.quality());
        }
        double xr = xmax - xmin == 0 ? 1 : xmax - xmin;
        double yr = ymax - ymin == 0 ? Math.max(1e-9, Math.abs(ymax) * 0.1 + 1e-9) : ymax - ymin;
        xmin -= xr * 0.08;
        xmax += xr * 0.08;
        ymin = ymin >= 0 ? Math.max(0, ymin - yr * 0.1) : ymin - yr * 0.1; // errors are >= 0
        ymax += yr * 0.1;
        final double fxmin = xmin, fxmax = xmax, fymin = ymin, fymax = ymax;
        ToDoubleFunction<Double> px =
                v -> PAD_L + (tx(v, logX) - fxmin) / (fxmax - fxmin) * (W - PAD_L - PAD_R);
        ToDoubleFunction<Double> py =
                v -> H - PAD_B - (v - fymin) / (fymax - fymin) * (H - PAD_T - PAD_B);
        // Axes with min/max ticks.
        s.append(line(PAD_L, H - PAD_B, W - PAD_R, H - PAD_B, "#444"));
        s.append(line(PAD_L, PAD_T, PAD_L, H - PAD_B, "#444"));
        for (int i = 0; i <= 4; i++) {
            double xv = fxmin + (fxmax - fxmin) * i / 4;
            double yv = fymin + (fymax - fymin) * i / 4;
            double xpos = PAD_L + (W - PAD_L - PAD_R) * i / 4.0;
            double ypos = H - PAD_B - (H - PAD_T - PAD_B) * i / 4.0;
            s.append(text(xpos, H - PAD_B + 16, tick(logX ? Math.pow(10, xv) : xv), "middle"));
            s.append(text(PAD_L - 6, ypos + 4, tick(yv), "end"));
        }
        s.append(text((PAD_L + W - PAD_R) / 2.0, H - 12, xLabel, "middle"));
        s.append("<text x=\"14\" y=\"")
                .append((PAD_T + H - PAD_B) / 2)
                .append("\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 ")
                .append((PAD_T + H - PAD_B) / 2)
                .append(")\">")
                .append(esc(yLabel))
                .append("</text>");
        // Frontier.
        List<CompressionReport.Entry> front = new ArrayList<>();
        for (CompressionReport.Entry e : pts) {
            if (onFrontier.test(e)) {
                front.add(e);
            }
        }
        front.sort(Comparator.comparingDouble(xOf));
        if (front.size() > 1) {
            s.append("<polyline fill=\"none\" stroke=\"#d33\" stroke-width=\"1.5\" points=\"");
            for (CompressionReport.Entry e : front) {
                s.append(
                        String.format(
                                Locale.ROOT,
                                "%.1f,%.1f ",
                                px.applyAsDouble(xOf.applyAsDouble(e)),
                                py.applyAsDouble(e.quality())));
            }
            s.append("\"/>");
        }
        for (CompressionReport.Entry e : pts) {
            double x = px.applyAsDouble(xOf.applyAsDouble(e));
            double y = py.applyAsDouble(e.quality());
            String colour =
                    e.method.equals("teacher") ? "#888" : onFrontier.test(e) ? "#d33" : "#36c";
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s</title></circle>",
                            x,
                            y,
                            colour,
                            esc(e.version)));
            if (e.selected) {
                s.append(
                        String.format(
                                Locale.ROOT,
                                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"9\" fill=\"none\" stroke=\"#e90\""
                                        + " stroke-width=\"2.5\"/>",
                                x,
                                y));
            }
            s.append(
                    text(x + 6, y - 6, e.version, "start")
                            .replace("font-size=\"12\"", "font-size=\"10\""));
        }
        return s.append("</svg></figure>").toString();
    }

    private static double tx(double v, boolean log) {
        return log ? Math.log10(v) : v;
    }

    private static String tick(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-2)) {
            return String.format(Locale.ROOT, "%.2g", v);
        }
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : "%.3g", v);
    }

    private static String line(double x1, double y1, double x2, double y2, String colour) {
        return String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
                x1,
                y1,
                x2,
                y2,
                colour);
    }

    private static String text(double x, double y, String t, String anchor) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"%s\">%s</text>",
                x,
                y,
                anchor,
                esc(t));
    }

    private static String fmt(Double v, String f) {
        return v == null || v.isNaN() ? "" : String.format(Locale.ROOT, f, v);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<':
                    b.append("&lt;");
                    break;
                case '>':
                    b.append("&gt;");
                    break;
                case '&':
                    b.append("&amp;");
                    break;
                case '"':
                    b.append("&quot;");
                    break;
                case '\'':
                    b.append("&#39;");
                    break;
                default:
                    b.append(c);
            }
        }
        return b.toString();
    }
}
