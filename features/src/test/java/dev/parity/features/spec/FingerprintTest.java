package dev.parity.features.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fingerprint is the spec's identity for state, operator uids and models: it must not move when
 * only the writing changes, and must move when anything that changes a feature vector does.
 */
class FingerprintTest {

    private static String fingerprint(String yaml) {
        return FeatureSpec.parse(yaml, "f.yaml").fingerprint();
    }

    @Test
    void isAHexSha256() {
        assertThat(TestingSpecs.payments().fingerprint()).matches("[0-9a-f]{64}");
    }

    @Test
    void ignoresFormattingCommentsKeyOrderAndWindowUnits() {
        String original = TestingSpecs.paymentsYaml();
        String rewritten =
                "# the same spec, written differently\n"
                        + "features:\n"
                        + "- aggregation: count\n"
                        + "  window: 60m\n"
                        + "  key: card\n"
                        + "  event: payment\n"
                        + "  name: card_payments_1h\n"
                        + "- {window: {daily: true, days: 7}, name: card_payments_7d_daily, key: [card],"
                        + " aggregation: count, event: payment}\n"
                        + "- {name: merchant_amount_mean_30d, event: payment, key: [merchant],"
                        + " value: amount, window: 720h, aggregation: mean}\n"
                        + "- {name: card_amount_max_24h, event: payment, key: [card], value: amount,"
                        + " window: 1d, aggregation: max}\n"
                        + "query:\n"
                        + "  label: {field: fraud}\n"
                        + "  context:\n"
                        + "  - merchant\n"
                        + "  - {name: amount, expr: 'amount'}\n"
                        + "  event: payment\n"
                        + "events:\n"
                        + "  payment:\n"
                        + "    time: ts\n"
                        + "    id: id\n"
                        + "    fields: {fraud: long, amount: double, merchant: string, card: string,"
                        + " ts: timestamp, id: long}\n"
                        + "name: \"payments_v1\"\n";

        assertThat(fingerprint(rewritten)).isEqualTo(fingerprint(original));
    }

    @Test
    void ignoresWhitespaceInExpressions() {
        String flights = TestingSpecs.flightsYaml();
        String spaced =
                flights.replace(
                        "(time.getDayOfWeek('UTC') + 6) % 7 + 1",
                        "( time.getDayOfWeek( 'UTC' )+6 )%7+1");
        assertThat(spaced).isNotEqualTo(flights);
        assertThat(fingerprint(spaced)).isEqualTo(fingerprint(flights));
    }

    @Test
    void changesWithEverySemanticPart() {
        String base = TestingSpecs.paymentsYaml();
        Map<String, String> edits = new LinkedHashMap<>();
        edits.put("name", base.replace("name: payments_v1", "name: payments_v2"));
        edits.put("field type", base.replace("fraud: long", "fraud: double"));
        edits.put(
                "added field",
                base.replace("      fraud: long", "      fraud: long\n      country: string"));
        edits.put("id field", base.replace("    id: id ", "    id: fraud "));
        edits.put("context order", base.replace("[merchant, amount]", "[amount, merchant]"));
        edits.put("context dropped", base.replace("[merchant, amount]", "[merchant]"));
        edits.put(
                "label",
                base.replace("label: fraud ", "label: amount ")
                        .replace("[merchant, amount]", "[merchant]"));
        edits.put("no label", base.replace("  label: fraud ", "  # no label "));
        edits.put("window", base.replace("window: 1h", "window: 2h"));
        edits.put("daily days", base.replace("{days: 7, daily: true}", "{days: 8, daily: true}"));
        edits.put("daily vs sliding", base.replace("{days: 7, daily: true}", "7d"));
        edits.put(
                "aggregation",
                base.replace("window: 24h, aggregation: max", "window: 24h, aggregation: min"));
        edits.put("value", base.replace("key: [card], value: amount", "key: [card], value: fraud"));
        edits.put("key", base.replace("key: [merchant]", "key: [card]"));
        edits.put("key fields", base.replace("key: [merchant]", "key: [merchant, card]"));
        edits.put("feature name", base.replace("card_amount_max_24h", "card_amount_max_1d"));
        edits.put(
                "feature order",
                base.replace(
                                "  - {name: card_payments_1h, event: payment, key: [card], window: 1h, aggregation: count}\n",
                                "")
                        + "  - {name: card_payments_1h, event: payment, key: [card], window: 1h, aggregation: count}\n");

        String baseline = fingerprint(base);
        Set<String> seen = new HashSet<>();
        seen.add(baseline);
        edits.forEach(
                (what, yaml) -> {
                    assertThat(yaml).as(what).isNotEqualTo(base);
                    String f = fingerprint(yaml);
                    assertThat(f).as(what).isNotEqualTo(baseline);
                    assertThat(seen.add(f)).as(what + " collides with another edit").isTrue();
                });
    }

    @Test
    void flightsExpressionsAreHashed() {
        String flights = TestingSpecs.flightsYaml();
        String edited =
                flights.replace("30 + distance / 8 + delay >= 1", "31 + distance / 8 + delay >= 1");
        assertThat(edited).isNotEqualTo(flights);
        assertThat(fingerprint(edited)).isNotEqualTo(fingerprint(flights));
    }

    @Test
    void originIsNotPartOfIt() {
        String yaml = TestingSpecs.paymentsYaml();
        assertThat(FeatureSpec.parse(yaml, "a.yaml").fingerprint())
                .isEqualTo(FeatureSpec.parse(yaml, "elsewhere/b.yaml").fingerprint());
    }
}
