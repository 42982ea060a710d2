package dev.parity.features.io;

import dev.parity.features.events.FlightRow;

/**
 * The outcome of reading one input row: a valid {@link FlightRow}, or the reason it was rejected
 * with its position. A Flink POJO; exactly one of {@code row} and {@code reason} is set.
 */
public class RowResult {
    /** File the row came from. */
    public String source;

    /** 1-based line number for CSV (the header is line 1), 0-based row index for Parquet. */
    public long line;

    public FlightRow row;
    public String reason;

    /** The raw input, for the rejected-rows file. */
    public String raw;

    public RowResult() {}

    public static RowResult ok(String source, long line, FlightRow row) {
        RowResult r = new RowResult();
        r.source = source;
        r.line = line;
        r.row = row;
        return r;
    }

    public static RowResult rejected(String source, long line, String reason, String raw) {
        RowResult r = new RowResult();
        r.source = source;
        r.line = line;
        r.reason = reason;
        r.raw = raw;
        return r;
    }

    public boolean isValid() {
        return row != null;
    }

    @Override
    public String toString() {
        return isValid()
                ? "RowResult{" + source + ":" + line + " " + row + "}"
                : "RowResult{" + source + ":" + line + " rejected: " + reason + "}";
    }
}
