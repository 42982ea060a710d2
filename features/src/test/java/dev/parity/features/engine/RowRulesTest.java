package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.features.reference.SampleData;
import dev.parity.features.spec.FeatureSpec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A spec's {@code required} fields and {@code checks} reject rows in the one decoder every reader
 * shares: the flights source rows, and a kind's events from Kafka JSON with the same reason.
 */
class RowRulesTest {
    private static final SpecPlan FLIGHTS =
            SpecPlan.of(
                    FeatureSpec.load(
                            SampleData.path()
                                    .getParent()
                                    .getParent()
                                    .getParent()
                                    .resolve("examples/flights/flights.yaml")));

    private static final String PAYMENTS =
            "name: p\n"
                    + "events:\n"
                    + "  payment:\n"
                    + "    fields: {id: long, ts: timestamp, card: string, amount: double}\n"
                    + "    id: id\n"
                    + "    time: ts\n"
                    + "    required: [card]\n"
                    + "    checks:\n"
                    + "      - {expr: \"amount >= 0.0\", reason: amount must not be negative}\n"
                    + "      - \"card != 'x'\"\n"
                    + "query: {event: payment, context: [amount]}\n"
                    + "features:\n"
                    + "  - {name: n, event: payment, key: [card], window: 1h, aggregation: count}\n";

    private static Object[] flight(Long id, Long delay, Long distance) {
        return new Object[] {id, 978_307_200_000L, delay, distance, "ORD", "LAX"};
    }

    @Test
    void flightsRowsBreakingTheRulesAreRejectedWithTheReason() {
        RowDecoder rows = RowDecoder.forSource(FLIGHTS);
        assertThat(rows.decode(flight(1L, 5L, 100L))).hasSize(2);
        assertThat(rows.decode(flight(0L, -5L, 0L))).hasSize(2); // bounds are inclusive
        assertThatThrownBy(() -> rows.decode(flight(1L, 5L, -100L)))
                .hasMessage("field 'distance' must not be negative: distance = -100");
        assertThatThrownBy(() -> rows.decode(flight(-1L, 5L, 100L)))
                .hasMessage("field 'id' must not be negative: id = -1");
        assertThatThrownBy(() -> rows.decode(flight(1L, null, 100L)))
                .hasMessage("missing field 'delay'");
    }

    @Test
    void kafkaJsonGetsTheSameReasons() {
        SpecPlan plan = SpecPlan.of(FeatureSpec.parse(PAYMENTS, "p.yaml"));
        EventJson json = new EventJson(plan);
        assertThat(decode(json, "{\"id\":1,\"ts\":0,\"card\":\"c\",\"amount\":1.5}").isValid())
                .isTrue();
        // a check reading a null field does not apply
        assertThat(decode(json, "{\"id\":1,\"ts\":0,\"card\":\"c\",\"amount\":null}").isValid())
                .isTrue();
        assertThat(decode(json, "{\"id\":2,\"ts\":0,\"card\":\"c\",\"amount\":-0.5}").reason)
                .isEqualTo("amount must not be negative: amount = -0.5");
        assertThat(decode(json, "{\"id\":3,\"ts\":0,\"amount\":1.0}").reason)
                .isEqualTo("missing field 'card'");
        assertThat(decode(json, "{\"id\":4,\"ts\":0,\"card\":\"x\",\"amount\":1.0}").reason)
                .isEqualTo("check failed: card != 'x': card = x");
    }

    private static DecodedRow decode(EventJson json, String text) {
        return json.decode("t", 0, text.getBytes(StandardCharsets.UTF_8));
    }
}
