package dev.parity.features.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.EventType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventExpansionTest {
    private static final long MIN = 60_000L;

    @Test
    void arrivalIsDeparturePlusThirtyPlusDistanceOverEightPlusDelayInWholeMinutes() {
        FlightRow row = new FlightRow(3, 1_000 * MIN, 14, 405, "MCI", "MDW");
        // 30 + 405 / 8 (= 50, integer division) + 14 = 94 minutes
        assertThat(EventExpansion.arrivalTime(row)).isEqualTo(1_094 * MIN);
    }

    @Test
    void aVeryEarlyArrivalIsStillOneMinuteAfterDeparture() {
        FlightRow row = new FlightRow(3, 1_000 * MIN, -500, 100, "A", "B");
        assertThat(EventExpansion.arrivalTime(row)).isEqualTo(1_001 * MIN);
    }

    @Test
    void expandEmitsTheDepartureThenTheArrival() {
        FlightRow row = new FlightRow(7, 10 * MIN, 33, 2176, "LAS", "PHL");
        List<FlightEvent> out = new ArrayList<>();
        EventExpansion.expand(row, out::add);
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isEqualTo(FlightEvent.departure(7, 10 * MIN, "LAS", "PHL", 2176));
        assertThat(out.get(1).type).isEqualTo(EventType.ARRIVAL);
        assertThat(out.get(1).delay).isEqualTo(33);
        assertThat(out.get(1).time).isEqualTo((10 + 30 + 272 + 33) * MIN);
    }
}
