package dev.parity.features.flink;

import dev.parity.features.engine.MissedWindow;
import dev.parity.features.events.FlightEvent;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * An event that arrived after the watermark had passed its time, with that watermark and what it
 * missed. A Flink POJO.
 *
 * <p>Decided once per event, before fan-out, so every feature group and the join agree on it. A
 * late event still counts from the watermark on; what it could not change is listed: {@code missed}
 * (feature answers already given without it) and, for a departure, {@code queryLate}: the flight
 * gets no prediction, only an incomplete record.
 */
public class LateEvent {
    public FlightEvent event;
    public long watermark;

    /** A departure at or behind the watermark: its own features can no longer be exact. */
    public boolean queryLate;

    /** The answers of other flights it should have changed; empty when none. */
    public MissedWindow[] missed = new MissedWindow[0];

    public LateEvent() {}

    public LateEvent(FlightEvent event, long watermark) {
        this.event = event;
        this.watermark = watermark;
    }

    public LateEvent(FlightEvent event, long watermark, boolean queryLate, MissedWindow[] missed) {
        this.event = event;
        this.watermark = watermark;
        this.queryLate = queryLate;
        this.missed = missed;
    }

    public String reason() {
        StringBuilder s =
                new StringBuilder("event time ")
                        .append(Instant.ofEpochMilli(event.time))
                        .append(" is not after the watermark ")
                        .append(Instant.ofEpochMilli(watermark));
        if (queryLate) {
            s.append("; no prediction for flight ").append(event.id);
        }
        if (missed.length > 0) {
            s.append("; counted from the watermark on, missed ").append(missedText());
        }
        return s.toString();
    }

    /** The missed windows separated by {@code ;}, empty when none. */
    public String missedText() {
        return Arrays.stream(missed).map(MissedWindow::toString).collect(Collectors.joining(";"));
    }
}
