package dev.parity.jobs.kafka;

import dev.parity.features.engine.EventRow;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Turns rows sorted by time into their events in event-time order. A row's events wait in a
 * priority queue until no later row can come before them: rows are sorted by the time of their
 * earliest event, so every queued event due before the current row's is final. The queue holds only
 * events still ahead of the current row (for flights: the flights in the air, tens of thousands for
 * the reference data). Events of equal time go out by kind (in spec order), then id: for sorted
 * rows the order is fully determined by the events, not by the rows' order.
 */
public final class EventTimeOrder {
    private static final Comparator<EventRow> ORDER =
            Comparator.comparingLong((EventRow e) -> e.time)
                    .thenComparingInt(e -> e.kind)
                    .thenComparingLong(e -> e.id);

    private final PriorityQueue<EventRow> ahead = new PriorityQueue<>(ORDER);
    private final Consumer<EventRow> out;
    private long lastRow = Long.MIN_VALUE;
    private long outOfOrderRows;

    public EventTimeOrder(Consumer<EventRow> out) {
        this.out = out;
    }

    /**
     * Adds the events of the next row; rows should come sorted by {@code rowTime}, the time of
     * their earliest event. A row that comes earlier still goes out, counted as out of order.
     */
    public void add(long rowTime, EventRow... events) {
        if (rowTime < lastRow) {
            outOfOrderRows++;
        }
        lastRow = Math.max(lastRow, rowTime);
        while (!ahead.isEmpty() && ahead.peek().time < rowTime) {
            out.accept(ahead.poll());
        }
        for (EventRow e : events) {
            ahead.add(e);
        }
    }

    /** Emits the events still pending; call once after the last row. */
    public void finish() {
        while (!ahead.isEmpty()) {
            out.accept(ahead.poll());
        }
    }

    /** Events waiting for their time. */
    public int pending() {
        return ahead.size();
    }

    /**
     * Rows whose earliest event was earlier than one already added: their events are out of order.
     */
    public long outOfOrderRows() {
        return outOfOrderRows;
    }
}
