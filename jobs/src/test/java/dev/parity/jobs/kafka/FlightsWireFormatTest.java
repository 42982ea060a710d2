package dev.parity.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.engine.DecodedRow;
import dev.parity.features.engine.EventJson;
import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code flights.events} as examples/flights/README.md documents it, through the generic JSON codec
 * and the bundled flights spec: the same bytes as ever, and the spec's rules applied to Kafka
 * events exactly as to file rows.
 */
class FlightsWireFormatTest {
    private static final SpecPlan PLAN = SpecPlan.of(BundledSpec.flights());
    private static final EventJson JSON = new EventJson(PLAN);

    private static EventRow departure(long id, long time, String o, String d, long distance) {
        return new EventRow(
                PLAN.kind("departure").index(), id, time, new Object[] {id, time, o, d, distance});
    }

    private static EventRow arrival(long id, long time, String o, String d, long delay) {
        return new EventRow(
                PLAN.kind("arrival").index(), id, time, new Object[] {id, time, o, d, delay});
    }

    private static String error(String json) {
        DecodedRow r = JSON.decode("flights.events", 0, json.getBytes(StandardCharsets.UTF_8));
        assertThat(r.isValid()).as(json).isFalse();
        return r.reason;
    }

    @Test
    void bothKindsKeepTheirBytesAndRoundTrip() {
        EventRow dep = departure(7, 978_307_260_000L, "LAS", "PHL", 2176);
        EventRow arr = arrival(7, 978_327_360_000L, "LAS", "PHL", -3);
        assertThat(new String(JSON.encode(dep), StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"type\":\"departure\",\"id\":7,\"time\":\"2001-01-01T00:01:00Z\",\"origin\":\"LAS\",\"dest\":\"PHL\",\"distance\":2176}");
        assertThat(new String(JSON.encode(arr), StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"type\":\"arrival\",\"id\":7,\"time\":\"2001-01-01T05:36:00Z\",\"origin\":\"LAS\",\"dest\":\"PHL\",\"delay\":-3}");
        assertThat(JSON.decode("t", 0, JSON.encode(dep)).events).containsExactly(dep);
        assertThat(JSON.decode("t", 0, JSON.encode(arr)).events).containsExactly(arr);
    }

    @Test
    void badEventsGetAReasonNamingTheMember() {
        assertThat(error("{not json")).startsWith("malformed JSON");
        assertThat(error("[1,2]")).isEqualTo("malformed JSON: not an object");
        assertThat(error("{\"type\":\"cancel\",\"id\":1}")).contains("no event kind 'cancel'");
        assertThat(error("{\"id\":1}")).contains("missing member 'type'");
        assertThat(
                        error(
                                "{\"type\":\"arrival\",\"id\":1,\"time\":\"2001-01-01T00:00:00Z\",\"origin\":\"A\",\"dest\":\"B\"}"))
                .contains("delay");
        assertThat(
                        error(
                                "{\"type\":\"departure\",\"id\":1,\"time\":\"yesterday\",\"origin\":\"A\",\"dest\":\"B\",\"distance\":5}"))
                .contains("member 'time'")
                .contains("ISO-8601");
        assertThat(
                        error(
                                "{\"type\":\"departure\",\"id\":1,\"time\":\"2001-01-01T00:00:00Z\",\"origin\":\"A\",\"dest\":\"B\",\"distance\":-5}"))
                .contains("distance");
        assertThat(
                        error(
                                "{\"type\":\"departure\",\"id\":-1,\"time\":\"2001-01-01T00:00:00Z\",\"origin\":\"A\",\"dest\":\"B\",\"distance\":5}"))
                .contains("id");
        assertThat(
                        error(
                                "{\"type\":\"departure\",\"id\":1,\"time\":\"2001-01-01T00:00:00Z\",\"origin\":\"\",\"dest\":\"B\",\"distance\":5}"))
                .contains("origin");
        assertThat(
                        error(
                                "{\"type\":\"arrival\",\"id\":1,\"time\":\"2001-01-01T00:00:00Z\",\"origin\":\"A\",\"dest\":\"B\",\"delay\":1.5}"))
                .contains("member 'delay'");
    }

    @Test
    void aTimeBeyondEpochMillisecondsIsADeadLetterNotACrash() {
        assertThat(
                        error(
                                "{\"type\":\"departure\",\"id\":1,\"time\":\"+1000000000-12-31T23:59:59Z\","
                                        + "\"origin\":\"A\",\"dest\":\"B\",\"distance\":5}"))
                .contains("member 'time'");
    }
}
