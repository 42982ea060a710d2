package dev.parity.jobs.streaming;

import dev.parity.features.events.FlightEvent;
import dev.parity.jobs.kafka.FlightEventJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * A Kafka record decoded in the source: either an event, or the reason it is not one with the raw
 * text. Decoding in the source lets the source assign event time and watermarks per Kafka
 * partition; a record that is not an event still flows on, to the dead-letter topic. A Flink POJO.
 */
public class DecodedEvent {
    /** The event, or null when the record is not a valid event. */
    public FlightEvent event;

    /** Why the record is not an event (null for an event). */
    public String error;

    /** The record's text, kept only for records that are not events. */
    public String raw;

    public DecodedEvent() {}

    static DecodedEvent of(byte[] value) {
        DecodedEvent d = new DecodedEvent();
        FlightEventJson.Decoded decoded = FlightEventJson.decode(value);
        d.event = decoded.event;
        if (decoded.event == null) {
            d.error = decoded.error;
            d.raw = new String(value, StandardCharsets.UTF_8);
        }
        return d;
    }

    /** Event time for the source's watermarks; a bad record does not move them. */
    long eventTime() {
        return event != null ? event.time : Long.MIN_VALUE;
    }

    /** The value deserializer of the events source. */
    public static final class Schema implements DeserializationSchema<DecodedEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public DecodedEvent deserialize(byte[] message) {
            return of(message == null ? new byte[0] : message);
        }

        @Override
        public boolean isEndOfStream(DecodedEvent next) {
            return false;
        }

        @Override
        public TypeInformation<DecodedEvent> getProducedType() {
            return TypeInformation.of(DecodedEvent.class);
        }
    }
}
