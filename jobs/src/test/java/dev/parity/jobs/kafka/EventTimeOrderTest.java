package dev.parity.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.RowDecoder;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTimeOrderTest {
    private static final long MIN = 60_000L;
    private static final SpecPlan FLIGHTS = SpecPlan.of(BundledSpec.flights());
    private static final RowDecoder ROWS = RowDecoder.forSource(FLIGHTS);

    /** A flights source row: id, date, delay, distance, origin, destination. */
    private static EventRow[] flight(long id, long date, long delay, long distance) {
        return ROWS.decode(new Object[] {id, date, delay, distance, "A", "B"});
    }

    /** "7d@30": id, kind initial (departure or arrival), minute. */
    private static String describe(EventRow e) {
        return e.id + FLIGHTS.kind(e.kind).name().substring(0, 1) + "@" + e.time / MIN;
    }

    private static void add(EventTimeOrder order, EventRow[] events) {
        long first = Long.MAX_VALUE;
        for (EventRow e : events) {
            first = Math.min(first, e.time);
        }
        order.add(first, events);
    }

    @Test
    void eventsComeOutInTimeOrderWithDeparturesBeforeArrivalsAtTheSameInstant() {
        List<EventRow> out = new ArrayList<>();
        EventTimeOrder order = new EventTimeOrder(out::add);
        // arrives at 0 + 30 + 0 + 10 = 40 min
        add(order, flight(0, 0, 10, 0));
        // departs at 40 min, as the first flight arrives: departures are the spec's first kind
        add(order, flight(1, 40 * MIN, -100, 8));
        add(order, flight(2, 45 * MIN, 0, 0));
        assertThat(order.pending()).isEqualTo(2);
        order.finish();

        assertThat(out)
                .extracting(EventTimeOrderTest::describe)
                .containsExactly("0d@0", "1d@40", "0a@40", "1a@41", "2d@45", "2a@75");
        assertThat(order.outOfOrderRows()).isZero();
    }

    @Test
    void eventsOfEqualTimeGoOutByKindThenId() {
        List<EventRow> out = new ArrayList<>();
        EventTimeOrder order = new EventTimeOrder(out::add);
        add(order, flight(7, 0, 0, 0)); // arrives at 30 min
        add(order, flight(3, 0, 0, 0));
        add(order, flight(5, 30 * MIN, 0, 0));
        order.finish();

        assertThat(out)
                .extracting(EventTimeOrderTest::describe)
                .containsExactly("3d@0", "7d@0", "5d@30", "3a@30", "7a@30", "5a@60");
    }

    @Test
    void rowsOutOfTimeOrderAreCountedAndStillSent() {
        List<EventRow> out = new ArrayList<>();
        EventTimeOrder order = new EventTimeOrder(out::add);
        add(order, flight(0, 100 * MIN, 0, 0));
        add(order, flight(1, 50 * MIN, 0, 0));
        order.finish();
        assertThat(order.outOfOrderRows()).isEqualTo(1);
        assertThat(out).hasSize(4);
    }
}
