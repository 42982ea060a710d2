package dev.parity.features.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.EventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventExpansionTest {
    private static final long MINUTE = 60_000L;
    private static final long DEP = Instant.parse("2001-01-01T10:00:00Z").toEpochMilli();

    private static FlightRow row(long delay, long distance) {
        return new FlightRow(7, DEP, delay, distance, "ORD", "JFK");
    }

    @Test
    void arrivalIsThirtyMinutesPlusDistanceOverEightPlusDelay() {
        // 30 + 740/8 (= 92) + 15 = 137 minutes
        assertThat(EventExpansion.arrivalTime(row(15, 740))).isEqualTo(DEP + 137 * MINUTE);
    }

    @Test
    void distanceIsDividedWithIntegerDivision() {
        // 30 + 15/8 (= 1) + 0
        assertThat(EventExpansion.arrivalTime(row(0, 15))).isEqualTo(DEP + 31 * MINUTE);
        // 30 + 7/8 (= 0) + 0
        assertThat(EventExpansion.arrivalTime(row(0, 7))).isEqualTo(DEP + 30 * MINUTE);
        // 30 + 16/8 (= 2) + 0
        assertThat(EventExpansion.arrivalTime(row(0, 16))).isEqualTo(DEP + 32 * MINUTE);
    }

    @Test
    void negativeDelayShortensTheFlight() {
        // 30 + 80/8 - 20 = 20 minutes
        assertThat(EventExpansion.arrivalTime(row(-20, 80))).isEqualTo(DEP + 20 * MINUTE);
    }

    @Test
    void veryNegativeDelayGivesOneMinute() {
        assertThat(EventExpansion.arrivalTime(row(-500, 100))).isEqualTo(DEP + MINUTE);
        // exactly 0 and exactly 1 computed minutes
        assertThat(EventExpansion.arrivalTime(row(-30, 0))).isEqualTo(DEP + MINUTE);
        assertThat(EventExpansion.arrivalTime(row(-29, 0))).isEqualTo(DEP + MINUTE);
        assertThat(EventExpansion.arrivalTime(row(-28, 0))).isEqualTo(DEP + 2 * MINUTE);
    }

    @Test
    void departureCarriesTheFlightAndDistance() {
        FlightEvent d = EventExpansion.departureOf(row(15, 740));

        assertThat(d.type).isEqualTo(EventType.DEPARTURE);
        assertThat(d.id).isEqualTo(7);
        assertThat(d.time).isEqualTo(DEP);
        assertThat(d.origin).isEqualTo("ORD");
        assertThat(d.dest).isEqualTo("JFK");
        assertThat(d.distance).isEqualTo(740);
        assertThat(d.delay).isZero();
    }

    @Test
    void arrivalCarriesTheFlightAndDelay() {
        FlightEvent a = EventExpansion.arrivalOf(row(15, 740));

        assertThat(a.type).isEqualTo(EventType.ARRIVAL);
        assertThat(a.id).isEqualTo(7);
        assertThat(a.time).isEqualTo(DEP + 137 * MINUTE);
        assertThat(a.origin).isEqualTo("ORD");
        assertThat(a.dest).isEqualTo("JFK");
        assertThat(a.delay).isEqualTo(15);
        assertThat(a.distance).isZero();
    }

    @Test
    void expandEmitsDepartureThenArrival() {
        List<FlightEvent> out = new ArrayList<>();
        FlightRow r = row(-3, 200);

        EventExpansion.expand(r, out::add);

        assertThat(out).containsExactly(EventExpansion.departureOf(r), EventExpansion.arrivalOf(r));
        assertThat(out.get(1).time).isGreaterThan(out.get(0).time);
    }
}
