package dev.parity.jobs.kafka;

import dev.parity.features.api.EventType;
import dev.parity.features.events.EventExpansion;
import dev.parity.features.events.FlightEvent;
import dev.parity.features.events.FlightRow;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Turns rows sorted by departure time into their events in event-time order: each row's departure
 * is emitted at once (after every pending arrival that is due no later), its arrival waits in a
 * priority queue. The queue holds only flights in the air, so it stays small (tens of thousands for
 * the reference data). Ties are broken by type (arrivals first) then id, so the order is fully
 * determined by the data.
 */
public final class EventTimeOrder {
    private static final Comparator<FlightEvent> ORDER =
            Comparator.comparingLong((FlightEvent e) -> e.time)
                    .thenComparingInt((FlightEvent e) -> e.type == EventType.ARRIVAL ? 0 : 1)
                    .thenComparingLong(e -> e.id);

    private final PriorityQueue<FlightEvent> arrivals = new PriorityQueue<>(ORDER);
    private final Consumer<FlightEvent> out;
    private long lastDeparture = Long.MIN_VALUE;
    private long outOfOrderRows;

    public EventTimeOrder(Consumer<FlightEvent> out) {
        this.out = out;
    }

    /** Adds the next row; rows should come sorted by departure time. */
    public void add(FlightRow row) {
        if (row.depTime < lastDeparture) {
            outOfOrderRows++;
        }
        lastDeparture = Math.max(lastDeparture, row.depTime);
        FlightEvent departure = EventExpansion.departureOf(row);
        while (!arrivals.isEmpty() && ORDER.compare(arrivals.peek(), departure) <= 0) {
            out.accept(arrivals.poll());
        }
        out.accept(departure);
        arrivals.add(EventExpansion.arrivalOf(row));
    }

    /** Emits the arrivals still pending; call once after the last row. */
    public void finish() {
        while (!arrivals.isEmpty()) {
            out.accept(arrivals.poll());
        }
    }

    /** Flights in the air (arrivals not yet emitted). */
    public int pending() {
        return arrivals.size();
    }

    /** Rows whose departure was earlier than one already emitted: their events are out of order. */
    public long outOfOrderRows() {
        return outOfOrderRows;
    }
}
