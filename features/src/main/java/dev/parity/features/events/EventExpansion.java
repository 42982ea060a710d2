package dev.parity.features.events;

import java.util.function.Consumer;

/**
 * Expands a flight row into its departure and arrival events. The batch path and the replay tool
 * that writes {@code flights.events} both call this one function, so both modes see the same
 * logical events.
 *
 * <p>{@code arr = dep + max(1, 30 + distance / 8 + delay)} minutes, with integer division.
 */
public final class EventExpansion {
    private static final long MINUTE = 60_000L;

    private EventExpansion() {}

    /** Arrival instant (epoch millis) of a row, per examples/flights/README.md. */
    public static long arrivalTime(FlightRow row) {
        long minutes = Math.max(1L, 30L + row.distance / 8L + row.delay);
        return row.depTime + minutes * MINUTE;
    }

    public static FlightEvent departureOf(FlightRow row) {
        return FlightEvent.departure(row.id, row.depTime, row.origin, row.dest, row.distance);
    }

    public static FlightEvent arrivalOf(FlightRow row) {
        return FlightEvent.arrival(row.id, arrivalTime(row), row.origin, row.dest, row.delay);
    }

    /** Emits the departure, then the arrival. */
    public static void expand(FlightRow row, Consumer<FlightEvent> out) {
        out.accept(departureOf(row));
        out.accept(arrivalOf(row));
    }
}
