package dev.parity.features.engine;

import dev.parity.features.spec.FieldType;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;

/**
 * The feature file's text form (docs/SPEC.md): header {@link SpecPlan#header()}, one line per row;
 * timestamps as ISO-8601 UTC, doubles in {@link Double#toString} form, strings quoted per RFC 4180
 * when needed, null as an empty field.
 */
public final class RowCsv implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> header;
    private final FieldType[] types;

    /** The file of {@code plan}'s rows, with the label column when {@code withLabel}. */
    public RowCsv(SpecPlan plan, boolean withLabel) {
        List<String> h = plan.header();
        FieldType[] t = plan.columnTypes();
        if (plan.hasLabel() && !withLabel) {
            h = h.subList(0, h.size() - 1);
            t = java.util.Arrays.copyOf(t, t.length - 1);
        }
        this.header = List.copyOf(h);
        this.types = t;
    }

    public String header() {
        return String.join(",", header);
    }

    public List<String> columns() {
        return header;
    }

    public String format(FeatureRow row) {
        StringBuilder sb = new StringBuilder(16 + types.length * 8);
        sb.append(row.id);
        for (int i = 0; i < types.length; i++) {
            sb.append(',');
            append(sb, types[i], row.values[i]);
        }
        return sb.toString();
    }

    /**
     * One CSV line of typed values, the way the CSV reader reads them back: timestamps as ISO 8601
     * instants, strings quoted when needed (RFC 4180), nulls empty.
     */
    public static String line(FieldType[] types, Object[] values) {
        StringBuilder sb = new StringBuilder(types.length * 8);
        for (int i = 0; i < types.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            append(sb, types[i], values[i]);
        }
        return sb.toString();
    }

    static void append(StringBuilder sb, FieldType type, Object v) {
        if (v == null) {
            return;
        }
        switch (type) {
            case TIMESTAMP:
                sb.append(Instant.ofEpochMilli((Long) v));
                break;
            case STRING:
                sb.append(Csv.field((String) v));
                break;
            default:
                sb.append(v);
        }
    }
}
