package dev.parity.features.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

/**
 * Every rule of the validator, each with the exact one-line message a user sees: {@code <spec
 * file>: <entry>: <field>: <problem>}. Most cases edit one line of docs/SPEC.md's payments spec or
 * of the flights spec, so each test shows the mistake it is about.
 */
class SpecValidationTest {
    private static final String FIELDS = "(fields: id, ts, card, merchant, amount, fraud)";

    /** The payments spec with {@code from} replaced by {@code to} (which must occur). */
    private static String payments(String from, String to) {
        String yaml = TestingSpecs.paymentsYaml();
        assertThat(yaml).contains(from);
        return yaml.replace(from, to);
    }

    private static String flights(String from, String to) {
        String yaml = TestingSpecs.flightsYaml();
        assertThat(yaml).contains(from);
        return yaml.replace(from, to);
    }

    private static SpecException failure(String yaml) {
        SpecException e =
                catchThrowableOfType(SpecException.class, () -> FeatureSpec.parse(yaml, "my.yaml"));
        assertThat(e).as("the spec should be refused").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n");
        return e;
    }

    private static void assertFails(String yaml, String message) {
        assertThat(failure(yaml).getMessage()).isEqualTo(message);
    }

    // ---- YAML

    @Test
    void yamlSyntaxErrorNamesLineAndColumn() {
        String yaml = payments("    time: ts ", "    time: [ts ");
        SpecException e = failure(yaml);
        assertThat(e.getMessage()).startsWith("my.yaml: line ").contains(", column ");
        assertThat(e.problem()).startsWith("YAML syntax error: ");

        assertFails(
                "name: a\n  events: b\n",
                "my.yaml: line 2, column 9: YAML syntax error: mapping values are not allowed here");
    }

    @Test
    void duplicateKeyIsAnError() {
        SpecException e = failure(payments("name: payments_v1", "name: payments_v1\nname: other"));
        assertThat(e.getMessage())
                .startsWith("my.yaml: line 2, column ")
                .contains("duplicate key")
                .contains("name");
    }

    @Test
    void emptyOrNonMappingSpec() {
        assertFails("", "my.yaml: the spec is empty");
        assertFails("# nothing\n", "my.yaml: the spec is empty");
        assertFails(
                "- a\n- b\n",
                "my.yaml: a spec is a mapping with the keys name, events, source, query, features, json;"
                        + " got a list");
    }

    @Test
    void unknownTopLevelKey() {
        assertFails(
                payments("query:  ", "queries:"),
                "my.yaml: queries: unknown top-level key (did you mean 'query'?); expected one of"
                        + " name, events, source, query, features, json");
        assertFails(
                payments("name: payments_v1", "name: payments_v1\nowner: me"),
                "my.yaml: owner: unknown top-level key; expected one of name, events, source,"
                        + " query, features, json");
    }

    @Test
    void unknownEntryKeys() {
        assertFails(
                payments("key: [card], window: 1h", "key: [card], windw: 1h"),
                "my.yaml: features[0] (card_payments_1h): windw: unknown key (did you mean"
                        + " 'window'?); expected one of name, event, key, value, window, aggregation");
        assertFails(
                payments("    time: ts ", "    tme: ts "),
                "my.yaml: events.payment: tme: unknown key (did you mean 'time'?); expected one of"
                        + " fields, id, time, required, checks, max_length");
        assertFails(
                payments("  label: fraud", "  labels: fraud"),
                "my.yaml: query: labels: unknown key (did you mean 'label'?); expected one of"
                        + " event, context, label");
        assertFails(
                payments("{days: 7, daily: true}", "{days: 7, daily: true, hours: 3}"),
                "my.yaml: features[1] (card_payments_7d_daily): window.hours: unknown key;"
                        + " expected one of days, daily");
    }

    @Test
    void wrongNodeShapes() {
        assertFails(
                payments("  context: [merchant, amount]", "  context: merchant"),
                "my.yaml: query: context: expected a list of fields and {name, expr} entries, got"
                        + " 'merchant'");
        assertFails(
                "name: x\nevents:\n  payment:\n    fields: [id, ts]\n",
                "my.yaml: events.payment: fields: expected a mapping of field names to types (like"
                        + " {id: long, ts: timestamp}), got a list");
        assertFails(
                payments("      card: string", "      card: [string]"),
                "my.yaml: events.payment: fields.card: expected a single value, got a list");
    }

    // ---- names and types

    @Test
    void nameIsRequiredAndChecked() {
        assertFails(
                payments("name: payments_v1 ", "nom: payments_v1 "),
                "my.yaml: nom: unknown top-level key (did you mean 'name'?); expected one of name,"
                        + " events, source, query, features, json");
        assertFails(
                payments("name: payments_v1 ", "# no name "),
                "my.yaml: name: required: the feature-set name, e.g. payments_v1");
        assertFails(
                payments("name: payments_v1 ", "name: payments v1 "),
                "my.yaml: name: must start with a letter or digit and hold only letters, digits,"
                        + " '_', '.' and '-', got 'payments v1'");
    }

    @Test
    void unknownFieldType() {
        assertFails(
                payments("amount: double", "amount: dbl"),
                "my.yaml: events.payment: fields.amount: unknown type 'dbl'; expected one of"
                        + " string, long, double, boolean, timestamp");
    }

    @Test
    void badFieldNames() {
        assertFails(
                payments("      card: string", "      card-no: string"),
                "my.yaml: events.payment: fields.card-no: a field name must be letters, digits and"
                        + " '_', not starting with a digit (expressions name fields as CEL"
                        + " identifiers), got 'card-no'");
        assertFails(
                payments("      card: string", "      in: string"),
                "my.yaml: events.payment: fields.in: 'in' is a reserved word of CEL expressions;"
                        + " rename the field");
    }

    @Test
    void unknownIdOrTimeField() {
        assertFails(
                payments("    id: id ", "    id: pid "),
                "my.yaml: events.payment: id: 'pid' is not a field of event 'payment' " + FIELDS);
        assertFails(
                payments("    time: ts ", "    time: t "),
                "my.yaml: events.payment: time: 't' is not a field of event 'payment' " + FIELDS);
        assertFails(
                payments("    time: ts ", "    # no time "),
                "my.yaml: events.payment: time: required: the timestamp field holding the event"
                        + " time");
    }

    @Test
    void idMustBeLongAndTimeTimestamp() {
        assertFails(
                payments("    id: id ", "    id: card "),
                "my.yaml: events.payment: id: field 'card' is string; an event id must be a long");
        assertFails(
                payments("    time: ts ", "    time: id "),
                "my.yaml: events.payment: time: field 'id' is long; the event time must be a"
                        + " timestamp");
    }

    // ---- query

    @Test
    void queryEventMustBeDeclaredAndHaveAnId() {
        assertFails(
                payments("  event: payment\n  context", "  event: paymnt\n  context"),
                "my.yaml: query: event: unknown event kind 'paymnt'; declared: payment");
        assertFails(
                payments("    id: id ", "    # no id "),
                "my.yaml: query: event: event 'payment' has no id field, and the output's id column"
                        + " is the query event's id; declare events.payment.id");
    }

    @Test
    void queryIsRequired() {
        String yaml = TestingSpecs.paymentsYaml();
        String withoutQuery =
                yaml.substring(0, yaml.indexOf("query:"))
                        + yaml.substring(yaml.indexOf("features:"));
        assertFails(
                withoutQuery, "my.yaml: query: required: which event kind gets a feature vector");
    }

    @Test
    void unknownContextField() {
        assertFails(
                payments("[merchant, amount]", "[merchant, amt]"),
                "my.yaml: query.context[1] (amt): 'amt' is not a field of the query event 'payment'"
                        + " "
                        + FIELDS);
    }

    @Test
    void unknownLabelField() {
        assertFails(
                payments("label: fraud ", "label: frod "),
                "my.yaml: query: label: 'frod' is not a field of the query event 'payment' "
                        + FIELDS);
    }

    @Test
    void contextExpressionMustCompile() {
        assertFails(
                flights("expr: \"time.getHours('UTC')\"", "expr: \"time.getHour('UTC')\""),
                "my.yaml: query.context[4] (dep_hour): expr: does not compile: undeclared"
                        + " reference to 'getHour' (in container '') (column 13 of"
                        + " \"time.getHour('UTC')\")");
        assertFails(
                flights("expr: \"time.getHours('UTC')\"", "expr: \"time.getHours('UTC') +\""),
                "my.yaml: query.context[4] (dep_hour): expr: does not compile: mismatched input"
                        + " '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null',"
                        + " NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER} (column 23 of"
                        + " \"time.getHours('UTC') +\")");
        assertFails(
                flights("expr: \"time.getHours('UTC')\"", "expr: \"hour(time)\""),
                "my.yaml: query.context[4] (dep_hour): expr: does not compile: undeclared reference"
                        + " to 'hour' (in container '') (column 5 of \"hour(time)\")");
    }

    @Test
    void contextExpressionTypeMustMatchADeclaredType() {
        assertFails(
                flights(
                        "{name: dep_hour, expr: \"time.getHours('UTC')\"}",
                        "{name: dep_hour, expr: \"time.getHours('UTC')\", type: double}"),
                "my.yaml: query.context[4] (dep_hour): expr: \"time.getHours('UTC')\" is long, but"
                        + " its declared type is double");
        assertFails(
                flights(
                        "{name: dep_hour, expr: \"time.getHours('UTC')\"}",
                        "{name: dep_hour, expr: \"time - time\"}"),
                "my.yaml: query.context[4] (dep_hour): expr: \"time - time\" has CEL type"
                        + " google.protobuf.Duration, which is not a field type (string, long,"
                        + " double, boolean, timestamp)");
    }

    @Test
    void unknownTimeZoneIsAnErrorAtValidation() {
        assertFails(
                flights("time.getHours('UTC')", "time.getHours('Mars/Olympus')"),
                "my.yaml: query.context[4] (dep_hour): expr: unknown time zone 'Mars/Olympus' in"
                        + " \"time.getHours('Mars/Olympus')\"; use 'UTC' or an IANA name such as"
                        + " 'Europe/Berlin'");
    }

    @Test
    void contextExpressionNeedsANameAndAnExpr() {
        assertFails(
                flights("{name: dep_hour, expr:", "{expr:"),
                "my.yaml: query.context[4]: name: required: the column an expression is written to");
        assertFails(
                flights("{name: dep_hour, expr: \"time.getHours('UTC')\"}", "{name: dep_hour}"),
                "my.yaml: query.context[4] (dep_hour): expr: required: a CEL expression over the"
                        + " query event's fields (a plain field is written as its name)");
    }

    @Test
    void labelFromAnotherKindNeedsAnId() {
        assertFails(
                flights(
                        "  arrival:\n    fields: {id: long, time: timestamp, origin: string, dest: string, delay: long}\n    id: id\n",
                        "  arrival:\n    fields: {id: long, time: timestamp, origin: string, dest: string, delay: long}\n"),
                "my.yaml: query: label: event 'arrival' has no id field, and a label from another"
                        + " event kind is joined to the query event by id; declare events.arrival.id");
    }

    @Test
    void labelFromAnotherKindNeedsTheSameIdFromTheSourceRow() {
        assertFails(
                flights("      values:\n        id: id\n", "      values:\n        id: id + 1\n"),
                "my.yaml: query: label: no 'arrival' has the id of the 'departure' from the same"
                        + " row: the source gives them ids \"id + 1\" and \"id\"; a label is joined"
                        + " by id, so both must be the same value");
    }

    @Test
    void labelFromAnotherKindMustNameADeclaredKindAndField() {
        assertFails(
                flights("{event: arrival, field: delay}", "{event: arrivals, field: delay}"),
                "my.yaml: query: label: unknown event kind 'arrivals'; declared: departure, arrival");
        assertFails(
                flights("{event: arrival, field: delay}", "{event: arrival, field: dealy}"),
                "my.yaml: query: label: 'dealy' is not a field of event 'arrival' (fields: id,"
                        + " time, origin, dest, delay)");
        assertFails(
                flights("{event: arrival, field: delay}", "{event: arrival, fld: delay}"),
                "my.yaml: query: label.fld: unknown key (did you mean 'field'?); expected one of"
                        + " event, field");
    }

    // ---- output columns

    @Test
    void duplicateFeatureName() {
        assertFails(
                payments("name: card_payments_7d_daily", "name: card_payments_1h"),
                "my.yaml: features[1] (card_payments_1h): name: output column 'card_payments_1h' is"
                        + " already features[0] (card_payments_1h)");
    }

    @Test
    void featureNameClashesWithContextLabelOrId() {
        assertFails(
                payments("name: card_payments_1h", "name: merchant"),
                "my.yaml: features[0] (merchant): name: output column 'merchant' is already"
                        + " query.context[0] (merchant)");
        assertFails(
                payments("name: card_payments_1h", "name: fraud"),
                "my.yaml: query: label: output column 'fraud' is already features[0] (fraud)");
        assertFails(
                payments("name: card_payments_1h", "name: id"),
                "my.yaml: features[0] (id): name: output column 'id' is already the query event's"
                        + " id column");
        assertFails(
                payments("[merchant, amount]", "[merchant, amount, merchant]"),
                "my.yaml: query.context[2] (merchant): output column 'merchant' is already"
                        + " query.context[0] (merchant)");
        assertFails(
                payments("[merchant, amount]", "[id]"),
                "my.yaml: query.context[0] (id): output column 'id' is already the query event's id"
                        + " column");
    }

    // ---- features

    @Test
    void unknownAggregationListsTheValidOnes() {
        assertFails(
                payments("aggregation: mean", "aggregation: avg"),
                "my.yaml: features[2] (merchant_amount_mean_30d): aggregation: unknown aggregation"
                        + " 'avg'; valid: count, count_distinct, sum, mean, min, max, last");
        assertFails(
                payments("window: 1h, aggregation: count", "window: 1h"),
                "my.yaml: features[0] (card_payments_1h): aggregation: required: one of count,"
                        + " count_distinct, sum, mean, min, max, last");
    }

    @Test
    void zeroNegativeAndUnparseableWindows() {
        String entry = "my.yaml: features[0] (card_payments_1h): window: ";
        assertFails(
                payments("window: 1h", "window: 0m"),
                entry + "must be positive, got '0m': a window of 0 holds no events");
        assertFails(payments("window: 1h", "window: -1h"), entry + "must be positive, got '-1h'");
        String expected =
                "expected a whole number and a unit ms, s, m, h or d (like 30m or 7d), or {days: N,"
                        + " daily: true}, got ";
        assertFails(payments("window: 1h", "window: 1.5h"), entry + expected + "'1.5h'");
        assertFails(payments("window: 1h", "window: 1 hour"), entry + expected + "'1 hour'");
        assertFails(payments("window: 1h", "window: 1H"), entry + expected + "'1H'");
        assertFails(payments("window: 1h", "window: 60"), entry + expected + "'60'");
        assertFails(
                payments("window: 1h", "window: 99999999999999999999d"),
                entry + "'99999999999999999999d' is too long a window");
        assertFails(
                payments("window: 1h, ", ""),
                entry + "required: a duration like 30m, 6h or 7d, or {days: N, daily: true}");
    }

    @Test
    void badDailyWindows() {
        String entry = "my.yaml: features[1] (card_payments_7d_daily): window: ";
        assertFails(
                payments("{days: 7, daily: true}", "{days: 0, daily: true}"),
                entry + "days must be a positive whole number of days, got 0");
        assertFails(
                payments("{days: 7, daily: true}", "{days: 7}"),
                entry
                        + "a window written as a mapping is daily and needs daily: true, like {days:"
                        + " 30, daily: true}; a sliding window is written as a duration, like 30d");
        assertFails(
                payments("{days: 7, daily: true}", "{days: 1.5, daily: true}"),
                entry + "days must be a positive whole number of days, got 1.5");
    }

    @Test
    void valueRequiredForSumAndForbiddenForCount() {
        assertFails(
                payments(
                        "value: amount, window: 30d, aggregation: mean",
                        "window: 30d, aggregation: sum"),
                "my.yaml: features[2] (merchant_amount_mean_30d): value: required for aggregation"
                        + " 'sum'");
        assertFails(
                payments(
                        "key: [card], window: 1h, aggregation: count",
                        "key: [card], value: amount, window: 1h, aggregation: count"),
                "my.yaml: features[0] (card_payments_1h): value: not allowed for aggregation"
                        + " 'count', which counts events (nulls included); remove it, or use"
                        + " count_distinct to count distinct values");
    }

    @Test
    void sumAndMeanNeedANumericValue() {
        assertFails(
                payments(
                        "value: amount, window: 30d, aggregation: mean",
                        "value: card, window: 30d, aggregation: mean"),
                "my.yaml: features[2] (merchant_amount_mean_30d): value: aggregation 'mean' does not"
                        + " apply to string field 'card'; it needs a long or double field");
        assertFails(
                payments(
                        "value: amount, window: 30d, aggregation: mean",
                        "value: ts, window: 30d, aggregation: sum"),
                "my.yaml: features[2] (merchant_amount_mean_30d): value: aggregation 'sum' does not"
                        + " apply to timestamp field 'ts'; it needs a long or double field");
    }

    @Test
    void unknownKeyOrValueField() {
        assertFails(
                payments("key: [card], window: 1h", "key: [crd], window: 1h"),
                "my.yaml: features[0] (card_payments_1h): key: 'crd' is not a field of event"
                        + " 'payment' "
                        + FIELDS);
        assertFails(
                payments("value: amount, window: 30d", "value: amt, window: 30d"),
                "my.yaml: features[2] (merchant_amount_mean_30d): value: 'amt' is not a field of"
                        + " event 'payment' "
                        + FIELDS);
        assertFails(
                payments("key: [card], window: 1h", "key: [], window: 1h"),
                "my.yaml: features[0] (card_payments_1h): key: required: at least one field of event"
                        + " 'payment' "
                        + FIELDS);
        assertFails(
                payments("key: [card], window: 1h", "key: [card, card], window: 1h"),
                "my.yaml: features[0] (card_payments_1h): key: field 'card' is listed twice");
    }

    @Test
    void aScalarKeyIsAOneFieldList() {
        FeatureSpec spec =
                FeatureSpec.parse(
                        payments("key: [card], window: 1h", "key: card, window: 1h"), "x");
        assertThat(spec.features().get(0).key()).containsExactly("card");
        assertThat(spec.fingerprint()).isEqualTo(TestingSpecs.payments().fingerprint());
    }

    @Test
    void doubleKeysAreRefused() {
        assertFails(
                payments("key: [card], window: 1h", "key: [amount], window: 1h"),
                "my.yaml: features[0] (card_payments_1h): key: field 'amount' is a double, and"
                        + " doubles make fragile keys (0.1 + 0.2 != 0.3); use a long or a string");
    }

    /** Payments queried, refunds aggregated: two kinds whose key fields must line up. */
    private static final String TWO_KINDS =
            "name: refunds\n"
                    + "events:\n"
                    + "  payment:\n"
                    + "    fields: {id: long, ts: timestamp, card: string, amount: double}\n"
                    + "    id: id\n"
                    + "    time: ts\n"
                    + "  refund:\n"
                    + "    fields: {ts: timestamp, card: string, account: string, amount: double, ref: long}\n"
                    + "    time: ts\n"
                    + "query: {event: payment}\n"
                    + "features:\n"
                    + "  - {name: card_refunds_7d, event: refund, key: [card], value: amount, window: 7d, aggregation: sum}\n";

    @Test
    void twoKindsAreAccepted() {
        FeatureSpec spec = FeatureSpec.parse(TWO_KINDS, "refunds.yaml");
        assertThat(spec.event("refund").orElseThrow().idField()).isEmpty();
        assertThat(spec.outputHeader()).containsExactly("id", "card_refunds_7d");
    }

    @Test
    void keyFieldAbsentFromTheQueryKind() {
        assertFails(
                TWO_KINDS.replace("key: [card]", "key: [account]"),
                "my.yaml: features[0] (card_refunds_7d): key: field 'account' is not a field of the"
                        + " query event 'payment': a query matches events whose key fields equal its"
                        + " own fields of the same names (fields: id, ts, card, amount)");
    }

    @Test
    void keyFieldOfAnotherTypeInTheQueryKind() {
        assertFails(
                TWO_KINDS.replace("card: string, account", "card: long, account"),
                "my.yaml: features[0] (card_refunds_7d): key: field 'card' is long in event 'refund'"
                        + " but string in the query event 'payment'; a key matches only values of"
                        + " one type");
    }

    @Test
    void lastNeedsAnIdToBreakTies() {
        assertFails(
                TWO_KINDS.replace("aggregation: sum", "aggregation: last"),
                "my.yaml: features[0] (card_refunds_7d): aggregation: 'last' gives ties at the same"
                        + " time to the greatest event id, but event 'refund' has no id field;"
                        + " declare events.refund.id");
        FeatureSpec ok =
                FeatureSpec.parse(
                        TWO_KINDS
                                .replace("aggregation: sum", "aggregation: last")
                                .replace(
                                        "ref: long}\n    time: ts",
                                        "ref: long}\n    id: ref\n    time: ts"),
                        "x");
        assertThat(ok.features().get(0).resultType()).isEqualTo(FieldType.DOUBLE);
    }

    @Test
    void featureEventMustBeDeclared() {
        assertFails(
                TWO_KINDS.replace("event: refund,", "event: refunds,"),
                "my.yaml: features[0] (card_refunds_7d): event: unknown event kind 'refunds';"
                        + " declared: payment, refund");
        assertFails(
                TWO_KINDS.replace("event: refund, ", ""),
                "my.yaml: features[0] (card_refunds_7d): event: required: one of the event kinds"
                        + " payment, refund");
    }

    @Test
    void featuresAreRequiredAndAList() {
        String yaml = TestingSpecs.paymentsYaml();
        assertFails(
                yaml.substring(0, yaml.indexOf("features:")),
                "my.yaml: features: required: at least one feature");
        assertFails(
                yaml.substring(0, yaml.indexOf("features:")) + "features: {a: 1}\n",
                "my.yaml: features: expected a list of features (- {name: ..., event: ..., ...}),"
                        + " got a mapping");
        assertFails(
                payments("name: card_payments_1h, ", ""),
                "my.yaml: features[0]: name: required: the feature's output column");
    }

    // ---- source

    @Test
    void emittedTimeMustBeATimestamp() {
        String yaml = TestingSpecs.flightsYaml();
        int start = yaml.indexOf("        time: \"date + duration(");
        int end = yaml.indexOf('\n', start);
        assertFails(
                yaml.substring(0, start)
                        + "        time: date.getHours('UTC')"
                        + yaml.substring(end),
                "my.yaml: source.emit[1] (arrival): values.time: \"date.getHours('UTC')\" is long,"
                        + " but field 'time' of event 'arrival' is timestamp (an event time must be"
                        + " a timestamp)");
    }

    @Test
    void emittedValueMustCompile() {
        assertThat(failure(flights("date + duration(", "date + dur(")).getMessage())
                .startsWith(
                        "my.yaml: source.emit[1] (arrival): values.time: does not compile:"
                                + " undeclared reference to 'dur'");
    }

    @Test
    void emittedValueOfAnUnknownRowField() {
        assertFails(
                flights("dest: destination, distance", "dest: destinaton, distance"),
                "my.yaml: source.emit[0] (departure): values.dest: 'destinaton' is not a field of"
                        + " the source row (fields: id, date, delay, distance, origin, destination)");
    }

    @Test
    void emitMustCoverTheKindsFieldsAndOnlyThem() {
        assertFails(
                flights(", distance: distance}", "}"),
                "my.yaml: source.emit[0] (departure): values: missing field 'distance' of event"
                        + " 'departure': every field gets a value (a row field or an expression)");
        assertFails(
                flights(", distance: distance}", ", distance: distance, delay: delay}"),
                "my.yaml: source.emit[0] (departure): values.delay: 'delay' is not a field of event"
                        + " 'departure' (fields: id, time, origin, dest, distance)");
    }

    @Test
    void emitNamesADeclaredKindOnce() {
        assertFails(
                flights("    - event: arrival\n", "    - event: arrivals\n"),
                "my.yaml: source.emit[1] (arrivals): event: unknown event kind 'arrivals'; declared:"
                        + " departure, arrival");
        assertFails(
                flights("    - event: arrival\n", "    - event: departure\n"),
                "my.yaml: source.emit[1] (departure): event: 'departure' is already emitted by"
                        + " source.emit[0]; a row emits at most one event of a kind");
    }

    // ---- the builder's own mistakes (YAML cannot make them)

    @Test
    void builderDuplicatesAreNamed() {
        assertThatThrownBy(
                        () ->
                                FeatureSpec.builder()
                                        .name("x")
                                        .event(
                                                "a",
                                                e ->
                                                        e.field("t", FieldType.TIMESTAMP)
                                                                .field("t", "long")
                                                                .time("t"))
                                        .build())
                .hasMessage("<builder>: events.a: fields.t: declared twice");
        assertThatThrownBy(
                        () ->
                                FeatureSpec.builder()
                                        .name("x")
                                        .event(
                                                "a",
                                                e -> e.field("t", FieldType.TIMESTAMP).time("t"))
                                        .event(
                                                "a",
                                                e -> e.field("t", FieldType.TIMESTAMP).time("t"))
                                        .build())
                .hasMessage("<builder>: events.a: declared twice");
        assertThatThrownBy(
                        () ->
                                FeatureSpec.builder()
                                        .name("x")
                                        .event(
                                                "a",
                                                e -> e.field("t", FieldType.TIMESTAMP).time("t"))
                                        .build())
                .hasMessage("<builder>: query: required: which event kind gets a feature vector");
        assertThatThrownBy(() -> FeatureSpec.builder().name("x").build())
                .hasMessage("<builder>: events: required: at least one event kind");
    }

    // ---- rules: required and checks

    private static final String RULES_AT = "    time: ts                           # event time\n";

    @Test
    void rulesAreReadAndKeptInOrder() {
        FeatureSpec spec =
                FeatureSpec.parse(
                        payments(
                                RULES_AT,
                                RULES_AT
                                        + "    required: [id, ts, card]\n"
                                        + "    checks:\n"
                                        + "      - {expr: \"amount >= 0.0\", reason: amount must"
                                        + " not be negative}\n"
                                        + "      - \"fraud == 0 || fraud == 1\"\n"),
                        "my.yaml");
        RowRules rules = spec.events().get(0).rules();
        assertThat(rules.required()).containsExactly("id", "ts", "card");
        assertThat(rules.checks())
                .extracting(RowRules.Check::reason)
                .containsExactly(
                        "amount must not be negative", "check failed: fraud == 0 || fraud == 1");
        // rules are part of the fingerprint; a spec without rules keeps its own
        assertThat(spec.fingerprint()).isNotEqualTo(TestingSpecs.payments().fingerprint());
    }

    @Test
    void aRequiredFieldMustBeAField() {
        assertFails(
                payments(RULES_AT, RULES_AT + "    required: [id, when]\n"),
                "my.yaml: events.payment: required[1]: 'when' is not a field of event 'payment' "
                        + FIELDS);
        assertFails(
                payments(RULES_AT, RULES_AT + "    required: [id, id]\n"),
                "my.yaml: events.payment: required[1]: 'id' is listed twice");
        assertFails(
                payments(RULES_AT, RULES_AT + "    required: id\n"),
                "my.yaml: events.payment: required: expected a list of field names (like [id,"
                        + " ts]), got 'id'");
    }

    @Test
    void aCheckMustBeABooleanOverTheFields() {
        assertFails(
                payments(RULES_AT, RULES_AT + "    checks: [\"amount + 1.0\"]\n"),
                "my.yaml: events.payment: checks[0]: 'amount + 1.0' is double; a check must be a"
                        + " boolean");
        assertThat(
                        failure(payments(RULES_AT, RULES_AT + "    checks: [\"price > 0.0\"]\n"))
                                .getMessage())
                .startsWith("my.yaml: events.payment: checks[0]: ")
                .contains("price");
        assertFails(
                payments(
                        RULES_AT,
                        RULES_AT + "    checks: [{expr: \"amount > 0.0\", reason: \" \"}]\n"),
                "my.yaml: events.payment: checks[0].reason: must not be empty; leave it out"
                        + " instead");
        assertThat(
                        failure(
                                        payments(
                                                RULES_AT,
                                                RULES_AT
                                                        + "    checks: [{expr: \"amount > 0.0\","
                                                        + " why: x}]\n"))
                                .getMessage())
                .startsWith("my.yaml: events.payment.checks[0]: ")
                .contains("why");
    }

    @Test
    void maxLengthIsReadCheckedAndPartOfTheFingerprint() {
        FeatureSpec spec =
                FeatureSpec.parse(
                        payments(RULES_AT, RULES_AT + "    max_length: {merchant: 64, card: 19}\n"),
                        "my.yaml");
        RowRules rules = spec.events().get(0).rules();
        assertThat(rules.declaredMaxLengths())
                .containsExactly(entry("merchant", 64), entry("card", 19));
        assertThat(rules.maxLength("card")).isEqualTo(19);
        assertThat(TestingSpecs.payments().events().get(0).rules().maxLength("card"))
                .isEqualTo(RowRules.DEFAULT_MAX_LENGTH);
        assertThat(spec.fingerprint()).isNotEqualTo(TestingSpecs.payments().fingerprint());
        // declaration order does not matter to the fingerprint
        FeatureSpec swapped =
                FeatureSpec.parse(
                        payments(RULES_AT, RULES_AT + "    max_length: {card: 19, merchant: 64}\n"),
                        "my.yaml");
        assertThat(swapped.fingerprint()).isEqualTo(spec.fingerprint());

        assertFails(
                payments(RULES_AT, RULES_AT + "    max_length: {amount: 10}\n"),
                "my.yaml: events.payment: max_length.amount: 'amount' is a double; only a string"
                        + " has a length");
        assertFails(
                payments(RULES_AT, RULES_AT + "    max_length: {cart: 10}\n"),
                "my.yaml: events.payment: max_length: 'cart' is not a field of event 'payment' "
                        + FIELDS);
        assertFails(
                payments(RULES_AT, RULES_AT + "    max_length: {card: 0}\n"),
                "my.yaml: events.payment: max_length.card: must be from 1 to 16777216 characters,"
                        + " got 0");
        assertFails(
                payments(RULES_AT, RULES_AT + "    max_length: {card: 1.5}\n"),
                "my.yaml: events.payment: max_length.card: expected a whole number of characters,"
                        + " got '1.5'");
        assertThat(failure(payments(RULES_AT, RULES_AT + "    max_length: 64\n")).getMessage())
                .startsWith("my.yaml: events.payment: max_length: ");
    }

    // ---- json

    @Test
    void jsonMembersAreCheckedAndKeepTheFingerprint() {
        String json = "json: {kind: type, prediction_time: dep_time}";
        assertFails(
                flights(json, "json: {kind: origin}"),
                "my.yaml: json: kind: 'origin' is a field of event 'departure'; the kind member"
                        + " must not be a field name");
        assertFails(
                flights(json, "json: {prediction_time: model}"),
                "my.yaml: json: prediction_time: 'model' is already a member of a prediction"
                        + " record [id, model, version, prediction]");
        assertFails(
                flights(json, "json: {kind: ''}"),
                "my.yaml: json: kind: a member name must not be empty");
        assertFails(
                flights(json, "json: {knd: type}"),
                "my.yaml: json: knd: unknown key (did you mean 'kind'?); expected one of kind,"
                        + " prediction_time");

        // wire names, not meaning: another kind member keeps the fingerprint
        FeatureSpec bundled = FeatureSpec.parse(TestingSpecs.flightsYaml(), "a.yaml");
        FeatureSpec renamed = FeatureSpec.parse(flights(json, "json: {kind: event}"), "b.yaml");
        assertThat(renamed.json().kind()).isEqualTo("event");
        assertThat(renamed.json().predictionTime()).isEqualTo("time");
        assertThat(renamed.fingerprint()).isEqualTo(bundled.fingerprint());
        assertThat(FeatureSpec.parse(TestingSpecs.paymentsYaml(), "p.yaml").json())
                .isSameAs(JsonMembers.DEFAULT);
    }
}
