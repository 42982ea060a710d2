package dev.parity.features.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WindowSpecTest {
    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void aSlidingWindowSeesAnEventFromJustAfterItUntilOneLengthLater() {
        WindowSpec w = WindowSpec.sliding(Duration.ofHours(1));
        long ts = at("2001-01-01T10:00:00Z");
        // counted for t in (ts, ts + 1h]: [t - 1h, t) contains ts
        assertThat(w.validFrom(ts)).isEqualTo(ts + 1);
        assertThat(w.validUntil(ts)).isEqualTo(at("2001-01-01T11:00:00Z") + 1);
    }

    @Test
    void theDailyWindowChangesOnlyAtUtcMidnight() {
        WindowSpec w = WindowSpec.trailingDays(30);
        long lateEvening = at("2001-01-10T23:59:00Z");
        assertThat(w.validFrom(lateEvening)).isEqualTo(at("2001-01-11T00:00:00Z"));
        assertThat(w.validUntil(lateEvening)).isEqualTo(at("2001-02-10T00:00:00Z"));
        long midnight = at("2001-01-10T00:00:00Z");
        assertThat(w.validFrom(midnight)).isEqualTo(at("2001-01-11T00:00:00Z"));
        assertThat(w.isDaily()).isTrue();
    }

    @Test
    void dayOfRoundsDownAlsoBefore1970() {
        assertThat(WindowSpec.dayOf(at("1969-12-31T23:00:00Z")))
                .isEqualTo(at("1969-12-31T00:00:00Z"));
    }
}
