package dev.parity.jobs.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.jobs.ParityCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code parity backfill --spec}, in process through the launcher's entry point: a bad spec or a
 * CSV that does not fit it is one line naming the file, exit code 2, no job started and nothing
 * written; a good one gives the feature file with RFC 4180 fields, rejected rows and the summary.
 */
class SpecBackfillCommandTest {
    private static final String PAYMENTS =
            "name: payments_v1\n"
                    + "events:\n"
                    + "  payment:\n"
                    + "    fields: {id: long, ts: timestamp, card: string, merchant: string,"
                    + " amount: double, fraud: long}\n"
                    + "    id: id\n"
                    + "    time: ts\n"
                    + "query: {event: payment, context: [merchant, amount], label: fraud}\n"
                    + "features:\n"
                    + "  - {name: card_payments_1h, event: payment, key: [card], window: 1h,"
                    + " aggregation: count}\n"
                    + "  - {name: merchant_amount_sum_30d, event: payment, key: [merchant],"
                    + " value: amount, window: 30d, aggregation: sum}\n"
                    + "  - {name: card_amount_max_24h, event: payment, key: [card], value: amount,"
                    + " window: 24h, aggregation: max}\n";

    private static final String EVENTS =
            "id,ts,card,merchant,amount,fraud\n"
                    + "1,2026-01-01T10:00:00Z,c1,\"Bob's, Diner\",12.5,0\n"
                    + "2,2026-01-01T10:30:00Z,c1,\"Bob's, Diner\",0.1,0\n"
                    + "3,2026-01-01T10:30:00Z,c2,\"say \"\"hi\"\"\",0.2,1\n"
                    + "4,2026-01-01T11:00:00Z,c1,東京,,0\n"
                    + "5,2026-01-01T11:00:01Z,c1,x,not-a-number,0\n"
                    + "6,2026-01-01T11:00:02Z,c1,\"two\nlines\",1.0,0\n";

    @TempDir Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void capture() {
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(originalErr);
    }

    private int backfill(String spec, String events) throws Exception {
        Path specFile = dir.resolve("spec.yaml");
        Path eventsFile = dir.resolve("events.csv");
        Files.writeString(specFile, spec);
        Files.writeString(eventsFile, events);
        return ParityCli.execute(
                "backfill",
                "--spec",
                specFile.toString(),
                "--events",
                eventsFile.toString(),
                "--out",
                dir.resolve("out").toString(),
                "--progress-interval",
                "PT0S");
    }

    static Stream<Arguments> badSpecs() {
        return Stream.of(
                Arguments.of(
                        "unknown field",
                        PAYMENTS.replace("key: [card], window: 1h", "key: [crd], window: 1h"),
                        "'crd' is not a field"),
                Arguments.of(
                        "wrong type",
                        PAYMENTS.replace("amount: double", "amount: dbl"),
                        "unknown type 'dbl'"),
                Arguments.of(
                        "duplicate feature",
                        PAYMENTS.replace("card_amount_max_24h", "card_payments_1h"),
                        "already"),
                Arguments.of(
                        "unknown aggregation",
                        PAYMENTS.replace("aggregation: sum", "aggregation: avg"),
                        "unknown aggregation 'avg'"),
                Arguments.of(
                        "window 0m",
                        PAYMENTS.replace("window: 1h", "window: 0m"),
                        "must be positive"),
                Arguments.of(
                        "value missing for sum",
                        PAYMENTS.replace(" value: amount, window:" + " 30d", " window: 30d"),
                        "value: required"),
                Arguments.of("YAML syntax", PAYMENTS.replace("query: {", "query: {{"), "YAML"),
                Arguments.of(
                        "key field absent from the query kind",
                        PAYMENTS.replace(
                                        "events:\n",
                                        "events:\n  refund:\n    fields: {id: long, ts: timestamp,"
                                                + " acct: string}\n    id: id\n    time: ts\n")
                                + "  - {name: acct_refunds_1h, event: refund, key: [acct],"
                                + " window: 1h, aggregation: count}\n",
                        "acct"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSpecs")
    void aBadSpecIsOneLineAndExit2WithNothingWritten(String what, String spec, String message)
            throws Exception {
        assertThat(backfill(spec, EVENTS)).isEqualTo(2);
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).singleElement().asString().contains("spec.yaml").contains(message);
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aHeaderThatDoesNotFitTheSpecIsOneLineAndExit2() throws Exception {
        assertThat(backfill(PAYMENTS, EVENTS.replace("merchant,amount", "shop,amount")))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList())
                .singleElement()
                .asString()
                .contains("events.csv:1")
                .contains("missing column(s) merchant")
                .contains("unknown column(s) shop");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void severalKindsFromSeveralFilesWithALabelJoinedById() throws Exception {
        String spec =
                "name: disputes_v1\n"
                        + "events:\n"
                        + "  payment:\n"
                        + "    fields: {id: long, ts: timestamp, card: string, amount: double}\n"
                        + "    id: id\n"
                        + "    time: ts\n"
                        + "  outcome:\n"
                        + "    fields: {id: long, ts: timestamp, card: string, disputed: boolean}\n"
                        + "    id: id\n"
                        + "    time: ts\n"
                        + "query: {event: payment, context: [amount], label: {event: outcome,"
                        + " field: disputed}}\n"
                        + "features:\n"
                        + "  - {name: card_disputes_30d, event: outcome, key: [card], value:"
                        + " disputed, window: 30d, aggregation: count_distinct}\n"
                        + "  - {name: card_last_disputed_30d, event: outcome, key: [card], value:"
                        + " disputed, window: 30d, aggregation: last}\n";
        Path specFile = dir.resolve("disputes.yaml");
        Files.writeString(specFile, spec);
        Path payments = dir.resolve("payments.csv");
        Files.writeString(
                payments,
                "id,ts,card,amount\n"
                        + "1,2026-01-01T10:00:00Z,c1,5.0\n"
                        + "2,2026-01-03T10:00:00Z,c1,6.0\n"
                        + "3,2026-01-05T10:00:00Z,c1,7.0\n");
        Path outcomes = dir.resolve("outcomes.csv");
        Files.writeString(
                outcomes,
                "id,ts,card,disputed\n"
                        + "1,2026-01-02T10:00:00Z,c1,true\n"
                        + "2,2026-01-04T10:00:00Z,c1,false\n");
        Path out = dir.resolve("out");
        int code =
                ParityCli.execute(
                        "backfill",
                        "--spec",
                        specFile.toString(),
                        "--events",
                        "payment=" + payments,
                        "--events",
                        "outcome=" + outcomes,
                        "--out",
                        out.toString(),
                        "--progress-interval",
                        "PT0S");
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(Files.readAllLines(out.resolve("features.csv")))
                .containsExactly(
                        "id,amount,card_disputes_30d,card_last_disputed_30d,disputed",
                        "1,5.0,0,,true",
                        "2,6.0,1,true,false");
        // payment 3 has no outcome yet: reported, not dropped
        assertThat(Files.readAllLines(out.resolve("incomplete.csv")))
                .containsExactly("id,missing", "3,label (outcome)");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"batch", "streaming"})
    void duplicateIdsAreReportedNeverMerged(String mode) throws Exception {
        Path specFile = dir.resolve("spec.yaml");
        Path eventsFile = dir.resolve("events.csv");
        Files.writeString(specFile, PAYMENTS);
        // 2 twice at one time with other values, 3 twice with the same values, 1 again later
        Files.writeString(
                eventsFile,
                "id,ts,card,merchant,amount,fraud\n"
                        + "1,2026-01-01T10:00:00Z,c1,m,12.5,0\n"
                        + "2,2026-01-01T10:30:00Z,c1,m,0.1,0\n"
                        + "2,2026-01-01T10:30:00Z,c1,m,0.2,0\n"
                        + "3,2026-01-01T10:45:00Z,c2,m,0.3,1\n"
                        + "3,2026-01-01T10:45:00Z,c2,m,0.3,1\n"
                        + "1,2026-01-01T11:00:00Z,c1,m,7.0,0\n");
        Path out = dir.resolve("out");
        int code =
                ParityCli.execute(
                        "backfill",
                        "--spec",
                        specFile.toString(),
                        "--events",
                        eventsFile.toString(),
                        "--mode",
                        mode,
                        "--out",
                        out.toString(),
                        "--progress-interval",
                        "PT0S");
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        // every event counts in the windows (3 twice); the rows are the earliest queries'
        assertThat(Files.readAllLines(out.resolve("features.csv")))
                .containsExactly(
                        "id,merchant,amount,card_payments_1h,merchant_amount_sum_30d,"
                                + "card_amount_max_24h,fraud",
                        "1,m,12.5,0,,,0",
                        "3,m,0.3,0,12.8,,1");
        assertThat(Files.readAllLines(out.resolve("incomplete.csv")))
                .containsExactlyInAnyOrder(
                        "id,missing",
                        "1,duplicate id: payment at 2026-01-01T11:00:00Z; an earlier payment has"
                                + " this id",
                        "2,duplicate id: 2 payment events at 2026-01-01T10:30:00Z have this id"
                                + " and differ: no row",
                        "2,duplicate id: 2 payment events at 2026-01-01T10:30:00Z have this id"
                                + " and differ: no row",
                        "3,duplicate id: payment at 2026-01-01T10:45:00Z; another payment at the"
                                + " same time has this id");
    }

    @Test
    void severalKindsNeedEachFileNamedByItsKind() throws Exception {
        String spec =
                PAYMENTS.replace(
                        "events:\n",
                        "events:\n  other:\n    fields: {id: long,"
                                + " ts: timestamp}\n    id: id\n    time: ts\n");
        assertThat(backfill(spec, EVENTS)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList())
                .singleElement()
                .asString()
                .contains("several event kinds (other, payment)")
                .contains("e.g. --events payment=FILE");
    }

    @Test
    void aGoodSpecWritesItsFeatureFileAndRejectsTheBadRow() throws Exception {
        assertThat(backfill(PAYMENTS, EVENTS)).as(err.toString(StandardCharsets.UTF_8)).isZero();
        Path out = dir.resolve("out");
        assertThat(Files.readAllLines(out.resolve("features.csv")))
                .containsExactly(
                        "id,merchant,amount,card_payments_1h,merchant_amount_sum_30d,"
                                + "card_amount_max_24h,fraud",
                        "1,\"Bob's, Diner\",12.5,0,,,0",
                        "2,\"Bob's, Diner\",0.1,1,12.5,12.5,0",
                        "3,\"say \"\"hi\"\"\",0.2,0,,,1",
                        "4,東京,,2,,12.5,0");
        List<String> rejected = Files.readAllLines(out.resolve("rejected.csv"));
        assertThat(rejected).hasSize(3);
        assertThat(rejected.get(2))
                .isEqualTo(
                        "events.csv,7,field 'merchant': line breaks are not allowed in a string"
                                + " value,\"6,2026-01-01T11:00:02Z,c1,\"\"two\\nlines\"\",1.0,0\"");
        assertThat(rejected.get(1))
                .isEqualTo(
                        "events.csv,6,\"field 'amount': expected a decimal number, got"
                                + " 'not-a-number'\",\"5,2026-01-01T11:00:01Z,c1,x,not-a-number,0\"");
        assertThat(Files.readString(out.resolve("summary.json")))
                .contains("\"feature_set\": \"payments_v1\"")
                .contains("\"rows_in\": 6")
                .contains("\"rejected_rows\": 2");
        assertThat(out.resolve("_parts")).doesNotExist();
    }
}
