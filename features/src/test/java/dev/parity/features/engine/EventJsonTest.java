package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.spec.FeatureSpec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The spec's events on Kafka: the same values and the same checks as the file readers. */
class EventJsonTest {
    private static final SpecPlan PLAN =
            SpecPlan.of(
                    FeatureSpec.parse(
                            "name: two_v1\n"
                                    + "events:\n"
                                    + "  payment:\n"
                                    + "    fields: {id: long, ts: timestamp, card: string,"
                                    + " amount: double, ok: boolean}\n"
                                    + "    id: id\n"
                                    + "    time: ts\n"
                                    + "  refund:\n"
                                    + "    fields: {id: long, ts: timestamp, card: string}\n"
                                    + "    id: id\n"
                                    + "    time: ts\n"
                                    + "query: {event: payment, context: [amount]}\n"
                                    + "features:\n"
                                    + "  - {name: card_refunds_1d, event: refund, key: [card],"
                                    + " window: 1d, aggregation: count}\n",
                            "two.yaml"));
    private static final EventJson JSON = new EventJson(PLAN);

    private static DecodedRow decode(String json) {
        return JSON.decode("t", 3L, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void encodedEventsDecodeToTheSameEvent() {
        EventRow e = new EventRow(0, 7L, 1_000L, new Object[] {7L, 1_000L, "東京, \"q\"", 0.1, true});
        DecodedRow back = JSON.decode("t", 0L, JSON.encode(e));
        assertThat(back.isValid()).isTrue();
        assertThat(back.events).containsExactly(e);
        assertThat(new String(JSON.encode(e), StandardCharsets.UTF_8))
                .startsWith("{\"kind\":\"payment\",\"id\":7,\"ts\":\"1970-01-01T00:00:01Z\"");
    }

    @Test
    void timestampsAsEpochMillisAndNullsAreAccepted() {
        DecodedRow r = decode("{\"kind\":\"refund\",\"id\":1,\"ts\":5000,\"card\":null}");
        assertThat(r.isValid()).isTrue();
        assertThat(r.events[0].kind).isEqualTo(1);
        assertThat(r.events[0].time).isEqualTo(5000L);
        assertThat(r.events[0].values[2]).isNull();
    }

    @Test
    void badEventsNameTheMemberAndTheProblem() {
        assertThat(decode("{not json").reason).startsWith("malformed JSON");
        assertThat(decode("[1]").reason).isEqualTo("malformed JSON: not an object");
        assertThat(decode("{\"id\":1}").reason).contains("missing member 'kind'");
        assertThat(decode("{\"kind\":\"chargeback\"}").reason)
                .contains("no event kind 'chargeback'");
        assertThat(decode("{\"kind\":\"refund\",\"id\":1,\"ts\":1,\"crd\":\"x\"}").reason)
                .isEqualTo("unknown member 'crd' for a refund event");
        assertThat(decode("{\"kind\":\"payment\",\"id\":\"1\",\"ts\":1}").reason)
                .isEqualTo("member 'id': expected a long, got String '1'");
        assertThat(decode("{\"kind\":\"payment\",\"id\":1,\"ts\":1,\"amount\":\"NaN\"}").reason)
                .startsWith("member 'amount': expected a double");
        assertThat(decode("{\"kind\":\"payment\",\"id\":1,\"ts\":\"yesterday\"}").reason)
                .contains("member 'ts'")
                .contains("ISO-8601");
        assertThat(decode("{\"kind\":\"payment\",\"id\":1}").reason)
                .contains("payment event without a time");
        assertThat(decode("{\"kind\":\"refund\",\"id\":1,\"ts\":1,\"card\":\"a\\nb\"}").reason)
                .contains("line breaks");
        DecodedRow bad = decode("{\"kind\":\"refund\",\"id\":1,\"ts\":1,\"card\":7}");
        assertThat(bad.reason).isEqualTo("member 'card': expected a string, got Long '7'");
        assertThat(bad.source).isEqualTo("t");
        assertThat(bad.raw).isEqualTo("{\"kind\":\"refund\",\"id\":1,\"ts\":1,\"card\":7}");
    }

    @Test
    void overLongStringsAndBytesThatAreNotUtf8AreDeadLetters() {
        String card = "c".repeat(1025);
        assertThat(
                        decode("{\"kind\":\"refund\",\"id\":1,\"ts\":1,\"card\":\"" + card + "\"}")
                                .reason)
                .isEqualTo("field 'card' is longer than 1024 characters (1025)");
        byte[] latin1 =
                "{\"kind\":\"refund\",\"id\":1,\"ts\":1,\"card\":\"S\u00e3o\"}"
                        .getBytes(StandardCharsets.ISO_8859_1);
        DecodedRow bad = JSON.decode("t", 3L, latin1);
        assertThat(bad.isValid()).isFalse();
        assertThat(bad.reason).startsWith("malformed JSON").contains("UTF-8");
    }

    @Test
    void aReasonQuotingTheInputStaysOneShortLine() {
        // found by ReaderRobustnessTest: an escaped line break in a long member name
        String name = "orig\\n" + ",".repeat(3000);
        DecodedRow r = decode("{\"kind\":\"refund\",\"" + name + "\":1}");
        assertThat(r.reason)
                .startsWith("unknown member 'orig\\n,,,")
                .endsWith("...' for a refund event")
                .doesNotContain("\n")
                .hasSizeLessThan(300);
    }
}
