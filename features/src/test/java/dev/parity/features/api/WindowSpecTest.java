package dev.parity.features.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WindowSpecTest {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    private static long at(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    /** Whether an event at {@code ts} is in the window of a query at {@code t}, per the spec. */
    private static boolean counts(WindowSpec w, long ts, long t) {
        return w.validFrom(ts) <= t && t < w.validUntil(ts);
    }

    @Test
    void slidingCountsForQueriesInTheHalfOpenIntervalAfterTheEvent() {
        WindowSpec w = WindowSpec.sliding(Duration.ofHours(1));
        long ts = at("2001-01-01T10:00:00Z");

        assertThat(w.validFrom(ts)).isEqualTo(ts + 1);
        assertThat(w.validUntil(ts)).isEqualTo(ts + HOUR + 1);

        // t == ts: the event is at exactly t, never counted
        assertThat(counts(w, ts, ts)).isFalse();
        assertThat(counts(w, ts, ts + 1)).isTrue();
        assertThat(counts(w, ts, ts + MINUTE)).isTrue();
        // t == ts + W: the event is at exactly t - W, counted
        assertThat(counts(w, ts, ts + HOUR)).isTrue();
        assertThat(counts(w, ts, ts + HOUR + 1)).isFalse();
        assertThat(counts(w, ts, ts - MINUTE)).isFalse();
    }

    @Test
    void slidingHorizonAndDescription() {
        WindowSpec w = WindowSpec.sliding(Duration.ofDays(7));

        assertThat(w.horizonMillis()).isEqualTo(7 * DAY + 1);
        assertThat(w.describe()).isEqualTo("sliding(PT168H)");
        assertThat(w.isDaily()).isFalse();
        assertThat(w).isEqualTo(WindowSpec.sliding(Duration.ofHours(168)));
        assertThat(w).isNotEqualTo(WindowSpec.sliding(Duration.ofHours(167)));
        assertThat(w).isNotEqualTo(WindowSpec.trailingDays(7));
    }

    @Test
    void slidingRejectsNonPositiveLengths() {
        assertThatThrownBy(() -> WindowSpec.sliding(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window length");
        assertThatThrownBy(() -> WindowSpec.sliding(Duration.ofMinutes(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window length");
        assertThatThrownBy(() -> WindowSpec.sliding(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("window length");
    }

    @Test
    void trailingDaysBoundariesAreUtcMidnights() {
        WindowSpec w = WindowSpec.trailingDays(30);
        long ts = at("2001-03-10T23:59:00Z");

        assertThat(w.validFrom(ts)).isEqualTo(at("2001-03-11T00:00:00Z"));
        assertThat(w.validUntil(ts)).isEqualTo(at("2001-04-10T00:00:00Z"));

        assertThat(counts(w, ts, at("2001-03-10T23:59:30Z"))).isFalse();
        assertThat(counts(w, ts, at("2001-03-11T00:00:00Z") - 1)).isFalse();
        assertThat(counts(w, ts, at("2001-03-11T00:00:00Z"))).isTrue();
        assertThat(counts(w, ts, at("2001-04-09T23:59:59.999Z"))).isTrue();
        assertThat(counts(w, ts, at("2001-04-10T00:00:00Z"))).isFalse();
    }

    @Test
    void trailingDaysEventAtMidnightIsInItsDay() {
        WindowSpec w = WindowSpec.trailingDays(30);
        long midnight = at("2001-03-10T00:00:00Z");

        // an event at exactly day(t) is at t's day, so not before day(t): not counted that day
        assertThat(w.validFrom(midnight)).isEqualTo(at("2001-03-11T00:00:00Z"));
        // and it is the earliest instant of day(t) - 30d for t on 2001-04-09
        assertThat(counts(w, midnight, at("2001-04-09T23:00:00Z"))).isTrue();
        assertThat(counts(w, midnight, at("2001-04-10T00:00:00Z"))).isFalse();
    }

    @Test
    void trailingDaysAgreesWithTheDesignDefinitionAroundBoundaries() {
        WindowSpec w = WindowSpec.trailingDays(30);
        long base = at("2001-01-01T00:00:00Z");
        long[] offsets = {-1, 0, 1, 12 * HOUR, DAY - 1};
        for (long eventOffset : offsets) {
            long ts = base + eventOffset;
            for (long day = -2; day <= 33; day++) {
                for (long queryOffset : offsets) {
                    long t = base + day * DAY + queryOffset;
                    long dayT = WindowSpec.dayOf(t);
                    boolean expected = dayT - 30 * DAY <= ts && ts < dayT;
                    assertThat(counts(w, ts, t))
                            .as("event %d, query %d", ts, t)
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void trailingDaysHorizonAndDescription() {
        WindowSpec w = WindowSpec.trailingDays(30);

        assertThat(w.horizonMillis()).isEqualTo(31 * DAY);
        assertThat(w.describe()).isEqualTo("trailing_days(30)");
        assertThat(w.isDaily()).isTrue();
        assertThat(w)
                .isEqualTo(WindowSpec.trailingDays(30))
                .isNotEqualTo(WindowSpec.trailingDays(29));
        assertThatThrownBy(() -> WindowSpec.trailingDays(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trailing days");
    }

    @Test
    void dayOfFloorsToUtcMidnight() {
        assertThat(WindowSpec.dayOf(0)).isEqualTo(0);
        assertThat(WindowSpec.dayOf(DAY - 1)).isEqualTo(0);
        assertThat(WindowSpec.dayOf(DAY)).isEqualTo(DAY);
        assertThat(WindowSpec.dayOf(at("2001-01-01T13:45:00Z")))
                .isEqualTo(at("2001-01-01T00:00:00Z"));
    }

    @Test
    void dayOfFloorsNegativeTimesTowardsThePast() {
        assertThat(WindowSpec.dayOf(-1)).isEqualTo(-DAY);
        assertThat(WindowSpec.dayOf(-DAY)).isEqualTo(-DAY);
        assertThat(WindowSpec.dayOf(-DAY - 1)).isEqualTo(-2 * DAY);
        assertThat(WindowSpec.dayOf(at("1969-12-31T23:59:00Z")))
                .isEqualTo(at("1969-12-31T00:00:00Z"));
    }

    @Test
    void trailingDaysWorksBeforeTheEpoch() {
        WindowSpec w = WindowSpec.trailingDays(1);
        long ts = at("1969-12-31T23:59:00Z");

        assertThat(w.validFrom(ts)).isEqualTo(at("1970-01-01T00:00:00Z"));
        assertThat(w.validUntil(ts)).isEqualTo(at("1970-01-02T00:00:00Z"));
    }
}
