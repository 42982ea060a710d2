package dev.parity.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.EventType;
import dev.parity.features.events.FlightEvent;
import dev.parity.features.events.FlightRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTimeOrderTest {
    private static final long MIN = 60_000L;

    @Test
    void eventsComeOutInTimeOrderWithArrivalsBeforeDeparturesAtTheSameInstant() {
        List<FlightEvent> out = new ArrayList<>();
        EventTimeOrder order = new EventTimeOrder(out::add);
        // arrives at 0 + 30 + 0 + 10 = 40 min
        order.add(new FlightRow(0, 0, 10, 0, "A", "B"));
        // departs at 40 min: after the first arrival (ties: arrival first)
        order.add(new FlightRow(1, 40 * MIN, -100, 8, "B", "C"));
        order.add(new FlightRow(2, 45 * MIN, 0, 0, "C", "A"));
        assertThat(order.pending()).isEqualTo(1);
        order.finish();

        assertThat(out)
                .extracting(
                        e ->
                                e.id
                                        + (e.type == EventType.DEPARTURE ? "d" : "a")
                                        + "@"
                                        + e.time / MIN)
                .containsExactly("0d@0", "0a@40", "1d@40", "1a@41", "2d@45", "2a@75");
        assertThat(order.outOfOrderRows()).isZero();
    }

    @Test
    void rowsOutOfDateOrderAreCounted() {
        EventTimeOrder order = new EventTimeOrder(e -> {});
        order.add(new FlightRow(0, 100 * MIN, 0, 0, "A", "B"));
        order.add(new FlightRow(1, 50 * MIN, 0, 0, "A", "B"));
        assertThat(order.outOfOrderRows()).isEqualTo(1);
    }
}
