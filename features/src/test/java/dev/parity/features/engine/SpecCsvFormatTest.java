package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spec's CSV reader: lines numbered from one with the header as line one, RFC 4180 quoting, the
 * header checked against the spec, and each row decoded or rejected with its reason.
 */
class SpecCsvFormatTest {
    private static final SpecPlan FLIGHTS = SpecPlan.of(BundledSpec.flights());
    private static final String FLIGHTS_HEADER = "id,date,delay,distance,origin,destination\n";
    private static final int DEPARTURE = FLIGHTS.kind("departure").index();
    private static final int ARRIVAL = FLIGHTS.kind("arrival").index();

    private static final SpecPlan PAYMENTS =
            SpecPlan.of(
                    FeatureSpec.parse(
                            "name: pay_v1\n"
                                    + "events:\n"
                                    + "  payment:\n"
                                    + "    fields: {id: long, ts: timestamp, card: string,"
                                    + " amount: double, ok: boolean}\n"
                                    + "    id: id\n"
                                    + "    time: ts\n"
                                    + "    required: [card]\n"
                                    + "  refund:\n"
                                    + "    fields: {id: long, ts: timestamp, card: string}\n"
                                    + "    id: id\n"
                                    + "    time: ts\n"
                                    + "query: {event: payment, context: [amount]}\n"
                                    + "features:\n"
                                    + "  - {name: card_refunds_1d, event: refund, key: [card],"
                                    + " window: 1d, aggregation: count}\n",
                            "pay.yaml"));
    private static final String PAYMENTS_HEADER = "id,ts,card,amount,ok\n";

    @TempDir Path dir;

    private Path file(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    private static List<DecodedRow> readAll(Path file, RowDecoder decoder) throws IOException {
        List<DecodedRow> out = new ArrayList<>();
        SpecFileInput.forEachRow(file.toString(), decoder, out::add);
        return out;
    }

    private List<DecodedRow> flights(String name, String content) throws IOException {
        return readAll(file(name, content), RowDecoder.forSource(FLIGHTS));
    }

    private List<DecodedRow> payments(String content) throws IOException {
        return readAll(file("payments.csv", content), RowDecoder.forKind(PAYMENTS, "payment"));
    }

    private static long ms(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void numbersLinesFromOneWithTheHeaderAsLineOne() throws IOException {
        List<DecodedRow> rows =
                flights(
                        "flights.csv",
                        FLIGHTS_HEADER
                                + "0,2001-01-01T00:01:00Z,5,740,ORD,JFK\n" // line 2
                                + "1,2001-01-01T00:02:00Z,x,740,ORD,JFK\n" // 3: bad delay
                                + "\n" // 4: blank, skipped
                                + "3,2001-01-01T00:03:00Z,5,-1,ORD,JFK\n" // 5: negative distance
                                + "4,2001-01-01T00:04:00Z,5,740,ORD\n" // 6: 5 fields
                                + "5,not-a-date,5,740,ORD,JFK\n" // 7: bad date
                                + "6,2001-01-01T00:06:00Z,-2,16,ATL,SAV\n"); // 8

        assertThat(rows).extracting(r -> r.line).containsExactly(2L, 3L, 5L, 6L, 7L, 8L);
        assertThat(rows).allSatisfy(r -> assertThat(r.source).isEqualTo("flights.csv"));
        assertThat(rows)
                .extracting(DecodedRow::isValid)
                .containsExactly(true, false, false, false, false, true);
        long dep = ms("2001-01-01T00:01:00Z");
        assertThat(rows.get(0).events)
                .containsExactly(
                        new EventRow(DEPARTURE, 0, dep, new Object[] {0L, dep, "ORD", "JFK", 740L}),
                        // 30 + 740 / 8 + 5 = 127 minutes later
                        new EventRow(
                                ARRIVAL,
                                0,
                                dep + 127 * 60_000L,
                                new Object[] {0L, dep + 127 * 60_000L, "ORD", "JFK", 5L}));
        assertThat(rows.get(1).reason).isEqualTo("field 'delay': expected a whole number, got 'x'");
        assertThat(rows.get(2).reason)
                .isEqualTo("field 'distance' must not be negative: distance = -1");
        assertThat(rows.get(3).reason).isEqualTo("expected 6 fields, got 5");
        assertThat(rows.get(4).reason)
                .isEqualTo(
                        "field 'date': expected an ISO-8601 instant like 2001-01-01T00:01:00Z or"
                                + " epoch milliseconds, got 'not-a-date'");
        assertThat(rows.get(4).raw).isEqualTo("5,not-a-date,5,740,ORD,JFK");
        assertThat(rows.get(4).events).isEmpty();
        assertThat(rows.get(5).events).extracting(e -> e.id).containsExactly(6L, 6L);
    }

    @Test
    void acceptsWindowsLineEndingsAndAByteOrderMark() throws IOException {
        List<DecodedRow> rows =
                flights(
                        "bom.csv",
                        "\uFEFFid,date,delay,distance,origin,destination\r\n"
                                + "0,2001-01-01T00:01:00Z,5,740,ORD,JFK\r\n"
                                + "\r\n"
                                + "1,2001-01-01T00:02:00Z,5,740,ORD,JFK\r\n");

        assertThat(rows).extracting(r -> r.line).containsExactly(2L, 4L);
        assertThat(rows).allSatisfy(r -> assertThat(r.isValid()).as("%s", r.reason).isTrue());
        // the last column carries no '\r'
        assertThat(rows.get(1).events[0].values)
                .containsExactly(1L, ms("2001-01-01T00:02:00Z"), "ORD", "JFK", 740L);
    }

    @Test
    void headerOnlyFileHasNoRows() throws IOException {
        assertThat(flights("header.csv", FLIGHTS_HEADER)).isEmpty();
        assertThat(flights("header-no-newline.csv", FLIGHTS_HEADER.strip())).isEmpty();
    }

    @Test
    void columnsMayComeInAnyOrder() throws IOException {
        List<DecodedRow> rows =
                flights(
                        "swapped.csv",
                        "destination,id,date,distance,delay,origin\n"
                                + "JFK,0,2001-01-01T00:01:00Z,740,5,ORD\n");

        long dep = ms("2001-01-01T00:01:00Z");
        assertThat(rows)
                .singleElement()
                .satisfies(
                        r ->
                                assertThat(r.events[0].values)
                                        .containsExactly(0L, dep, "ORD", "JFK", 740L));
        assertThat(rows.get(0).events[1].values[4]).isEqualTo(5L);
    }

    @Test
    void badHeaderFailsTheFileNamingWhatDoesNotMatch() throws IOException {
        assertThatThrownBy(
                        () ->
                                flights(
                                        "bad.csv",
                                        "id,date,delay,distance,origin,dest,id\n"
                                                + "0,2001-01-01T00:01:00Z,5,740,ORD,JFK,0\n"))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "bad.csv:1: header does not match the source rows of spec flights_v1 (id,"
                                + " date, delay, distance, origin, destination): missing column(s)"
                                + " destination; unknown column(s) dest; duplicate column(s) id");
        assertThatThrownBy(
                        () ->
                                readAll(
                                        file("refunds.csv", "id,ts\n1,5000\n"),
                                        RowDecoder.forKind(PAYMENTS, "refund")))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "refunds.csv:1: header does not match the refund events of spec pay_v1"
                                + " (id, ts, card): missing column(s) card");
    }

    @Test
    void aHeaderNameWithALineBreakFailsInOneLine() throws IOException {
        // found by ReaderRobustnessTest: a quoted header cell spanning two lines
        Path f =
                file(
                        "broken.csv",
                        "\"id\n0\",date,delay,distance,origin,destination\n"
                                + "0,2001-01-01T00:01:00Z,5,740,ORD,JFK\n");
        assertThatThrownBy(() -> readAll(f, RowDecoder.forSource(FLIGHTS)))
                .isInstanceOf(BadInputException.class)
                .hasMessageEndingWith("missing column(s) id; unknown column(s) id\\n0")
                .hasMessageNotContaining("\n");
    }

    @Test
    void emptyFileFailsNamingIt() {
        assertThatThrownBy(() -> flights("nothing.csv", ""))
                .isInstanceOf(IOException.class)
                .hasMessage("nothing.csv:1: empty file, expected a header");
    }

    @Test
    void rejectsBadFlightsRowsWithTheFieldAndTheReason() throws IOException {
        Map<String, String> cases = new LinkedHashMap<>();
        String iso = "expected an ISO-8601 instant like 2001-01-01T00:01:00Z or epoch milliseconds";
        cases.put(
                "3,2001-13-01 00:01,5,10,LAS,PHL",
                "field 'date': " + iso + ", got '2001-13-01 00:01'");
        cases.put(
                "3,2001-01-01T00:01:00,5,10,LAS,PHL",
                "field 'date': " + iso + ", got '2001-01-01T00:01:00'");
        cases.put("3,2001-01-01T00:01:00Z,5,10,,PHL", "missing field 'origin'");
        cases.put("3,2001-01-01T00:01:00Z,,10,LAS,PHL", "missing field 'delay'");
        cases.put("3,2001-01-01T00:01:00Z,5,10,LAS,", "missing field 'destination'");
        cases.put(
                "3,2001-01-01T00:01:00Z,5.5,10,LAS,PHL",
                "field 'delay': expected a whole number, got '5.5'");
        cases.put(
                "3,2001-01-01T00:01:00Z,NA,10,LAS,PHL",
                "field 'delay': expected a whole number, got 'NA'");
        cases.put(
                "x,2001-01-01T00:01:00Z,5,10,LAS,PHL",
                "field 'id': expected a whole number, got 'x'");
        cases.put(
                "3,2001-01-01T00:01:00Z,5,ten,LAS,PHL",
                "field 'distance': expected a whole number, got 'ten'");
        cases.put(
                "3,2001-01-01T00:01:00Z,5,-10,LAS,PHL",
                "field 'distance' must not be negative: distance = -10");
        cases.put(
                "-3,2001-01-01T00:01:00Z,5,10,LAS,PHL", "field 'id' must not be negative: id = -3");
        cases.put("3,2001-01-01T00:01:00Z,5,10,LAS", "expected 6 fields, got 5");
        cases.put("3,2001-01-01T00:01:00Z,5,10,LAS,PHL,", "expected 6 fields, got 7");

        List<DecodedRow> rows =
                flights("rows.csv", FLIGHTS_HEADER + String.join("\n", cases.keySet()) + "\n");

        assertThat(rows).extracting(r -> r.reason).containsExactlyElementsOf(cases.values());
        assertThat(rows).extracting(r -> r.raw).containsExactlyElementsOf(cases.keySet());
        assertThat(rows).extracting(r -> r.line).startsWith(2L, 3L).endsWith(14L);
        assertThat(rows).allSatisfy(r -> assertThat(r.events).isEmpty());
    }

    @Test
    void rejectsBytesThatAreNotUtf8WithTheirLineAndReadsOn() throws IOException {
        // the bad bytes near the start (inside Jackson's first buffer) and far into the file
        StringBuilder good = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            good.append(i + 10).append(",2001-01-01T00:01:00Z,5,740,ORD,JFK\n");
        }
        byte[] latin1 =
                "2,2001-01-01T00:01:00Z,5,740,S\u00c3O,JFK\n".getBytes(StandardCharsets.ISO_8859_1);
        // a three-byte character cut after two bytes
        byte[] truncated = {'J', (byte) 0xE2, (byte) 0x82, '\n'};
        Path f = dir.resolve("latin1.csv");
        try (OutputStream out = Files.newOutputStream(f)) {
            out.write(FLIGHTS_HEADER.getBytes(StandardCharsets.UTF_8));
            out.write("1,2001-01-01T00:01:00Z,5,740,ORD,JFK\n".getBytes(StandardCharsets.UTF_8));
            out.write(latin1);
            out.write(good.toString().getBytes(StandardCharsets.UTF_8));
            out.write("3,2001-01-01T00:01:00Z,5,740,ORD,".getBytes(StandardCharsets.UTF_8));
            out.write(truncated);
            out.write(
                    "4,2001-01-01T00:01:00Z,5,740,S\u00e3o,JFK\n".getBytes(StandardCharsets.UTF_8));
        }

        List<DecodedRow> rows = readAll(f, RowDecoder.forSource(FLIGHTS));

        assertThat(rows).hasSize(5004);
        assertThat(rows.get(1).line).isEqualTo(3L);
        assertThat(rows.get(1).reason).isEqualTo("field 'origin': not valid UTF-8 text");
        DecodedRow late = rows.get(5002);
        assertThat(late.line).isEqualTo(5004L);
        assertThat(late.reason).isEqualTo("field 'destination': not valid UTF-8 text");
        assertThat(rows)
                .filteredOn(r -> !r.isValid())
                .extracting(r -> r.line)
                .containsExactly(3L, 5004L);
        // valid multi-byte text on either side is read as written
        assertThat(rows.get(5003).events[0].values).contains("S\u00e3o");
    }

    @Test
    void rejectsStringsOverTheirLengthLimit() throws IOException {
        String limit = "x".repeat(1024);
        String over = "x".repeat(1025);
        // 1024 characters of four UTF-8 bytes each are within the limit: it counts characters
        String wide = "\uD83D\uDE80".repeat(1024);
        List<DecodedRow> rows =
                flights(
                        "long.csv",
                        FLIGHTS_HEADER
                                + "1,2001-01-01T00:01:00Z,5,740,"
                                + limit
                                + ",JFK\n"
                                + "2,2001-01-01T00:01:00Z,5,740,"
                                + over
                                + ",JFK\n"
                                + "3,2001-01-01T00:01:00Z,5,740,ORD,"
                                + wide
                                + "\n"
                                + "4,2001-01-01T00:01:00Z,5,740,ORD,"
                                + wide
                                + "x\n");

        assertThat(rows)
                .extracting(r -> r.reason)
                .containsExactly(
                        null,
                        "field 'origin' is longer than 1024 characters (1025)",
                        null,
                        "field 'destination' is longer than 1024 characters (1025)");
        assertThat(rows.get(1).raw).contains(over);

        SpecPlan declared =
                SpecPlan.of(
                        FeatureSpec.parse(
                                "name: notes\n"
                                        + "events:\n"
                                        + "  note:\n"
                                        + "    fields: {id: long, ts: timestamp, who: string,"
                                        + " text: string}\n"
                                        + "    id: id\n"
                                        + "    time: ts\n"
                                        + "    max_length: {who: 3, text: 4096}\n"
                                        + "query: {event: note, context: [text]}\n"
                                        + "features:\n"
                                        + "  - {name: n, event: note, key: [who], window: 1d,"
                                        + " aggregation: count}\n",
                                "notes.yaml"));
        List<DecodedRow> notes =
                readAll(
                        file(
                                "notes.csv",
                                "id,ts,who,text\n"
                                        + "1,2001-01-01T00:01:00Z,abc,"
                                        + "y".repeat(4096)
                                        + "\n"
                                        + "2,2001-01-01T00:01:00Z,abcd,y\n"
                                        + "3,2001-01-01T00:01:00Z,abc,"
                                        + "y".repeat(4097)
                                        + "\n"),
                        RowDecoder.forKind(declared, "note"));
        assertThat(notes)
                .extracting(r -> r.reason)
                .containsExactly(
                        null,
                        "field 'who' is longer than 3 characters (4)",
                        "field 'text' is longer than 4096 characters (4097)");
    }

    @Test
    void valuesAreReadAsWrittenWithoutTrimming() throws IOException {
        List<DecodedRow> rows =
                flights(
                        "spaces.csv",
                        FLIGHTS_HEADER
                                + "3,2001-01-01T00:01:00.250Z,5,10,LAS, PHL\n"
                                + " 3 ,2001-01-01T00:01:00Z,5,10,LAS,PHL\n");

        assertThat(rows.get(0).isValid()).isTrue();
        assertThat(rows.get(0).events[0].time).isEqualTo(ms("2001-01-01T00:01:00Z") + 250);
        assertThat(rows.get(0).events[0].values[3]).isEqualTo(" PHL");
        assertThat(rows.get(1).reason).isEqualTo("field 'id': expected a whole number, got ' 3 '");
    }

    @Test
    void readsAFileOfOneEventKind() throws IOException {
        List<DecodedRow> rows =
                readAll(
                        file(
                                "refunds.csv",
                                "card,ts,id\n" // any column order
                                        + "c1,2026-01-01T10:00:00Z,7\n"
                                        + "c2,5000,8\n"
                                        + ",6000,9\n"
                                        + "c4,,10\n"),
                        RowDecoder.forKind(PAYMENTS, "refund"));

        int refund = PAYMENTS.kind("refund").index();
        long t = ms("2026-01-01T10:00:00Z");
        assertThat(rows).extracting(r -> r.line).containsExactly(2L, 3L, 4L, 5L);
        assertThat(rows.get(0).events)
                .containsExactly(new EventRow(refund, 7, t, new Object[] {7L, t, "c1"}));
        assertThat(rows.get(1).events)
                .containsExactly(new EventRow(refund, 8, 5000, new Object[] {8L, 5000L, "c2"}));
        // an empty field is null; refunds do not require a card
        assertThat(rows.get(2).events)
                .containsExactly(new EventRow(refund, 9, 6000, new Object[] {9L, 6000L, null}));
        assertThat(rows.get(3).reason).isEqualTo("refund event without a time ('ts' is empty)");
    }

    @Test
    void readsQuotedFieldsPerRfc4180() throws IOException {
        List<DecodedRow> rows =
                payments(
                        PAYMENTS_HEADER
                                + "1,5000,\"a, b\",1.5,true\n" // 2
                                + "\"2\",5000,\"say \"\"hi\"\"\",,false\n" // 3
                                + "3,5000,東京,2,\n" // 4
                                + "4,5000,\"\",2,true\n" // 5: quoted empty is null too
                                + "5,5000,\"two\nlines\",2,true\n" // 6-7
                                + "6,5000,\"a, \"\"b\"\"\",x,true\n"); // 8

        assertThat(rows).extracting(r -> r.line).containsExactly(2L, 3L, 4L, 5L, 6L, 8L);
        assertThat(rows.get(0).events[0].values).containsExactly(1L, 5000L, "a, b", 1.5, true);
        assertThat(rows.get(1).events[0].values)
                .containsExactly(2L, 5000L, "say \"hi\"", null, false);
        assertThat(rows.get(2).events[0].values).containsExactly(3L, 5000L, "東京", 2.0, null);
        assertThat(rows.get(3).reason).isEqualTo("missing field 'card'");
        assertThat(rows.get(4).reason)
                .isEqualTo("field 'card': line breaks are not allowed in a string value");
        assertThat(rows.get(4).raw).isEqualTo("5,5000,\"two\nlines\",2,true");
        assertThat(rows.get(5).reason)
                .isEqualTo("field 'amount': expected a decimal number, got 'x'");
        assertThat(rows.get(5).raw).isEqualTo("6,5000,\"a, \"\"b\"\"\",x,true");
    }

    @Test
    void skipsBlankLinesKeepingLineNumbers() throws IOException {
        List<DecodedRow> rows =
                payments(
                        PAYMENTS_HEADER
                                + "\n" // 2
                                + "1,5000,c,1.5,true\n" // 3
                                + "\n\n" // 4, 5
                                + "2,6000,c,1.5,true\n" // 6
                                + "\n"); // 7

        assertThat(rows).extracting(r -> r.line).containsExactly(3L, 6L);
        assertThat(rows).extracting(r -> r.events[0].id).containsExactly(1L, 2L);
    }

    @Test
    void skipsAnyNumberOfBlankLines() throws IOException {
        List<DecodedRow> rows =
                payments(PAYMENTS_HEADER + "\n".repeat(200_000) + "1,5000,c,1.5,true\n");

        assertThat(rows).singleElement().satisfies(r -> assertThat(r.line).isEqualTo(200_002L));
    }

    @Test
    void rejectsAWrongFieldCountWithItsLineAndReadsOn() throws IOException {
        List<DecodedRow> rows =
                payments(
                        PAYMENTS_HEADER
                                + "1,5000,c,1.5,true\n" // 2
                                + "2,5000\n" // 3
                                + "3,5000,c,1.5,true,extra\n" // 4
                                + "4,5000,c,1.5,true\n"); // 5

        assertThat(rows).extracting(r -> r.line).containsExactly(2L, 3L, 4L, 5L);
        assertThat(rows)
                .extracting(r -> r.reason)
                .containsExactly(
                        null, "expected 5 fields, got 2", "expected 5 fields, got 6", null);
        assertThat(rows.get(1).raw).isEqualTo("2,5000");
        assertThat(rows.get(1).source).isEqualTo("payments.csv");
    }

    @Test
    void brokenQuoteFailsTheFileAtItsLine() throws IOException {
        RowDecoder decoder = RowDecoder.forKind(PAYMENTS, "payment");
        Path unclosed =
                file(
                        "unclosed.csv",
                        PAYMENTS_HEADER
                                + "1,5000,c,1.5,true\n"
                                + "2,5000,\"abc,1,true\n" // 3: the quote never closes
                                + "3,5000,c,1.5,true\n");
        List<DecodedRow> seen = new ArrayList<>();

        assertThatThrownBy(() -> SpecFileInput.forEachRow(unclosed.toString(), decoder, seen::add))
                .isInstanceOf(IOException.class)
                .hasMessage("unclosed.csv:3: not valid CSV: Missing closing quote for value");
        assertThat(seen).extracting(r -> r.line).containsExactly(2L);

        Path trailing =
                file(
                        "trailing.csv",
                        PAYMENTS_HEADER + "1,5000,c,1.5,true\n" + "2,5000,\"abc\"x,1,true\n");
        assertThatThrownBy(() -> readAll(trailing, decoder))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("trailing.csv:3: not valid CSV: Unexpected character ('x'");
    }

    @Test
    void unreadableHeaderFailsTheFileAtLineOne() throws IOException {
        RowDecoder decoder = RowDecoder.forKind(PAYMENTS, "payment");
        Path quote = file("quote.csv", "id,\"ts,card,amount,ok\n1,5000,c,1.5,true\n");
        Path latin1 = dir.resolve("latin1.csv");
        Files.write(latin1, "id,ts,card,amount,ok,\u00fc\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> readAll(quote, decoder))
                .isInstanceOf(IOException.class)
                .hasMessage("quote.csv:1: not valid CSV: Missing closing quote for value");
        assertThatThrownBy(() -> readAll(latin1, decoder))
                .isInstanceOf(IOException.class)
                .hasMessage("latin1.csv:1: the header is not valid UTF-8 text: \uFFFD");
    }

    @Test
    void forEachRowStopsWhenTheSinkSaysSo() throws IOException {
        StringBuilder csv = new StringBuilder(PAYMENTS_HEADER);
        for (int i = 0; i < 10; i++) {
            csv.append(i).append(",5000,c,1.5,true\n");
        }
        Path f = file("payments.csv", csv.toString());
        List<DecodedRow> seen = new ArrayList<>();

        SpecFileInput.forEachRow(
                f.toString(),
                RowDecoder.forKind(PAYMENTS, "payment"),
                r -> {
                    seen.add(r);
                    return seen.size() < 3;
                });

        assertThat(seen).extracting(r -> r.events[0].id).containsExactly(0L, 1L, 2L);
    }

    @Test
    void readsGzippedCsvAndTellsTheFormatByTheExtension() throws IOException {
        RowDecoder decoder = RowDecoder.forKind(PAYMENTS, "payment");
        Path gz = dir.resolve("payments.CSV.GZ");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write((PAYMENTS_HEADER + "1,5000,c,1.5,true\n").getBytes(StandardCharsets.UTF_8));
        }

        assertThat(readAll(gz, decoder))
                .singleElement()
                .satisfies(r -> assertThat(r.source).isEqualTo("payments.CSV.GZ"))
                .satisfies(r -> assertThat(r.events[0].values[2]).isEqualTo("c"));
        assertThat(SpecFileInput.formatFor("dir/p.csv", decoder)).isInstanceOf(SpecCsvFormat.class);
        assertThatThrownBy(() -> SpecFileInput.formatFor("dir/p.json", decoder))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--events: cannot tell the format of 'dir/p.json': expected a .parquet,"
                                + " .csv or .csv.gz file");
    }

    @Test
    void isNotSplittableAndReadsTheSameInAFlinkFileSource() throws IOException {
        SpecCsvFormat format =
                new SpecCsvFormat("payments.csv", RowDecoder.forKind(PAYMENTS, "payment"));
        Path f = file("payments.csv", PAYMENTS_HEADER + "1,5000,c,1.5,true\n\n2,5000\n");
        org.apache.flink.core.fs.Path path = new org.apache.flink.core.fs.Path(f.toUri());
        long length = Files.size(f);
        List<DecodedRow> rows = new ArrayList<>();
        FSDataInputStream in = path.getFileSystem().open(path);
        try (StreamFormat.Reader<DecodedRow> reader =
                format.createReader(new Configuration(), in, length, length)) {
            DecodedRow r;
            while ((r = reader.read()) != null) {
                rows.add(r);
            }
        }

        assertThat(rows).extracting(r -> r.line).containsExactly(2L, 4L);
        assertThat(rows)
                .extracting(r -> r.reason)
                .containsExactly(null, "expected 5 fields, got 2");
        assertThat(format.isSplittable()).isFalse();
        assertThat(format.getProducedType()).isSameAs(EngineTypes.DECODED);
        assertThat(format.getProducedType().getTypeClass()).isEqualTo(DecodedRow.class);
    }
}
