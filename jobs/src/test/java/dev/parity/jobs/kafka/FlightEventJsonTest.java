package dev.parity.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.events.FlightEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FlightEventJsonTest {
    private static String error(String json) {
        return FlightEventJson.decode(json.getBytes(StandardCharsets.UTF_8)).error;
    }

    @Test
    void roundTripsBothEventTypes() {
        FlightEvent dep = FlightEvent.departure(7, 978_307_260_000L, "LAS", "PHL", 2176);
        FlightEvent arr = FlightEvent.arrival(7, 978_327_360_000L, "LAS", "PHL", -3);
        assertThat(new String(FlightEventJson.encode(dep), StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"type\":\"departure\",\"id\":7,\"time\":\"2001-01-01T00:01:00Z\",\"origin\":\"LAS\",\"dest\":\"PHL\",\"distance\":2176}");
        assertThat(FlightEventJson.decode(FlightEventJson.encode(dep)).event).isEqualTo(dep);
        assertThat(FlightEventJson.decode(FlightEventJson.encode(arr)).event).isEqualTo(arr);
    }

    @Test
    void badInputGetsAReasonNamingTheField() {
        assertThat(error("{not json")).startsWith("malformed JSON");
        assertThat(error("[1,2]")).isEqualTo("malformed JSON: not an object");
        assertThat(error("{\"type\":\"cancel\",\"id\":1}"))
                .isEqualTo("unknown event type 'cancel'");
        assertThat(error("{\"id\":1}")).isEqualTo("missing field 'type'");
        assertThat(
                        error(
                                "{\"type\":\"arrival\",\"id\":1,\"time\":\"2001-01-01T00:00:00Z\",\"origin\":\"A\",\"dest\":\"B\"}"))
                .isEqualTo("missing field 'delay'");
        assertThat(
                        error(
                                "{\"type\":\"departure\",\"id\":1,\"time\":\"yesterday\",\"origin\":\"A\",\"dest\":\"B\",\"distance\":5}"))
                .isEqualTo("field 'time' is not an ISO-8601 instant: 'yesterday'");
        assertThat(
                        error(
                                "{\"type\":\"departure\",\"id\":1,\"time\":\"2001-01-01T00:00:00Z\",\"origin\":\"A\",\"dest\":\"B\",\"distance\":-5}"))
                .isEqualTo("field 'distance' must not be negative, got -5");
        assertThat(
                        error(
                                "{\"type\":\"departure\",\"id\":-1,\"time\":\"2001-01-01T00:00:00Z\",\"origin\":\"A\",\"dest\":\"B\",\"distance\":5}"))
                .isEqualTo("field 'id' must be a non-negative integer");
        assertThat(
                        error(
                                "{\"type\":\"arrival\",\"id\":1,\"time\":\"2001-01-01T00:00:00Z\",\"origin\":\"A\",\"dest\":\"B\",\"delay\":1.5}"))
                .isEqualTo("field 'delay' must be an integer");
    }

    @Test
    void aTimeBeyondEpochMillisecondsIsADeadLetterNotACrash() {
        assertThat(
                        error(
                                "{\"type\":\"departure\",\"id\":1,\"time\":\"+1000000000-12-31T23:59:59Z\","
                                        + "\"origin\":\"A\",\"dest\":\"B\",\"distance\":5}"))
                .startsWith("field 'time' is not an ISO-8601 instant");
    }
}
