package dev.parity.features.flink;

import dev.parity.features.events.FlightEvent;
import java.time.Instant;

/** An event that arrived after the watermark had passed its time, with that watermark. */
public class LateEvent {
    public FlightEvent event;
    public long watermark;

    public LateEvent() {}

    public LateEvent(FlightEvent event, long watermark) {
        this.event = event;
        this.watermark = watermark;
    }

    public String reason() {
        return "event time "
                + Instant.ofEpochMilli(event.time)
                + " is not after the watermark "
                + Instant.ofEpochMilli(watermark);
    }
}
