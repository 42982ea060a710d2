package dev.parity.features.engine;

/**
 * What a reader made of one input row: its events, or the reason it was rejected with where it came
 * from ({@code source}, 1-based {@code line} for text, 0-based row index for Parquet) and its raw
 * text.
 */
public final class DecodedRow {
    public final String source;
    public final long line;
    public final EventRow[] events;
    public final String reason;
    public final String raw;

    private DecodedRow(String source, long line, EventRow[] events, String reason, String raw) {
        this.source = source;
        this.line = line;
        this.events = events;
        this.reason = reason;
        this.raw = raw;
    }

    public static DecodedRow ok(String source, long line, EventRow[] events) {
        return new DecodedRow(source, line, events, null, null);
    }

    /** A rejected row; its reason is kept to one line, whatever of the input it quotes. */
    public static DecodedRow rejected(String source, long line, String reason, String raw) {
        return new DecodedRow(source, line, new EventRow[0], Csv.singleLine(reason), raw);
    }

    public boolean isValid() {
        return reason == null;
    }

    /** The earliest time of the row's events: what its watermark follows. */
    public long time() {
        long t = Long.MAX_VALUE;
        for (EventRow e : events) {
            t = Math.min(t, e.time);
        }
        return events.length == 0 ? Long.MIN_VALUE : t;
    }
}
