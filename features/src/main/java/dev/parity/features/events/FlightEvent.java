package dev.parity.features.events;

import dev.parity.features.api.EventType;
import java.time.Instant;
import java.util.Objects;

/**
 * A departure or an arrival (examples/flights/README.md): the unit both the Kafka topic {@code
 * flights.events} and the batch path carry. A Flink POJO.
 *
 * <p>{@code distance} is set on departures and {@code delay} on arrivals; the other is 0 and is
 * never read for that type.
 */
public class FlightEvent {
    public EventType type;
    public long id;

    /** Event time, epoch millis UTC. */
    public long time;

    public String origin;
    public String dest;
    public long distance;
    public long delay;

    public FlightEvent() {}

    public static FlightEvent departure(
            long id, long time, String origin, String dest, long distance) {
        FlightEvent e = new FlightEvent();
        e.type = EventType.DEPARTURE;
        e.id = id;
        e.time = time;
        e.origin = origin;
        e.dest = dest;
        e.distance = distance;
        return e;
    }

    public static FlightEvent arrival(long id, long time, String origin, String dest, long delay) {
        FlightEvent e = new FlightEvent();
        e.type = EventType.ARRIVAL;
        e.id = id;
        e.time = time;
        e.origin = origin;
        e.dest = dest;
        e.delay = delay;
        return e;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FlightEvent)) {
            return false;
        }
        FlightEvent e = (FlightEvent) o;
        return type == e.type
                && id == e.id
                && time == e.time
                && distance == e.distance
                && delay == e.delay
                && Objects.equals(origin, e.origin)
                && Objects.equals(dest, e.dest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, id, time);
    }

    @Override
    public String toString() {
        return type
                + "{id="
                + id
                + ", t="
                + Instant.ofEpochMilli(time)
                + ", "
                + origin
                + "->"
                + dest
                + (type == EventType.DEPARTURE ? ", distance=" + distance : ", delay=" + delay)
                + "}";
    }
}
