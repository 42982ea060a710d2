package dev.parity.features.engine;

import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * An event that arrived behind the router's watermark: what it is, the watermark, whether it was a
 * query (which then gets no row, only an incomplete record) and the answers given without it. Every
 * row that differs from a run without the delay is covered by one of {@code missed}.
 */
public final class LateRecord {
    public final EventRow event;
    public final String kind;
    public final long watermark;
    public final boolean queryLate;
    public final MissedWindow[] missed;

    public LateRecord(
            EventRow event, String kind, long watermark, boolean queryLate, MissedWindow[] missed) {
        this.event = event;
        this.kind = kind;
        this.watermark = watermark;
        this.queryLate = queryLate;
        this.missed = missed;
    }

    /** The missed windows as late.csv writes them, separated by spaces. */
    public String missedText() {
        return Arrays.stream(missed).map(MissedWindow::toString).collect(Collectors.joining(" "));
    }

    /** Why the event is reported, in one line. */
    public String reason() {
        return kind
                + " at "
                + Instant.ofEpochMilli(event.time)
                + " arrived behind the watermark "
                + Instant.ofEpochMilli(watermark)
                + (queryLate ? ": its own row cannot be exact" : "")
                + (missed.length > 0 ? ": " + missed.length + " answered window(s) missed it" : "");
    }
}
