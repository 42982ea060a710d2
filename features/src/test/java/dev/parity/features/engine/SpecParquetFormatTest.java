package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spec's Parquet reader: columns by name with types from the footer, rows numbered from zero,
 * an absent id filled with the row index, and each row decoded or rejected with its reason.
 */
class SpecParquetFormatTest {
    private static final SpecPlan FLIGHTS = SpecPlan.of(BundledSpec.flights());
    private static final int DEPARTURE = FLIGHTS.kind("departure").index();

    /** Like vega-datasets' flights-3m.parquet: no id, a microsecond timestamp, all nullable. */
    private static final Schema FLIGHTS_FILE =
            schema(
                    "date:timestamp-micros?",
                    "delay:long?",
                    "distance:long?",
                    "origin:string?",
                    "destination:string?");

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
                                    + "query: {event: payment, context: [amount]}\n"
                                    + "features:\n"
                                    + "  - {name: n, event: payment, key: [card], window: 1h,"
                                    + " aggregation: count}\n",
                            "pay.yaml"));
    private static final RowDecoder PAYMENT = RowDecoder.forKind(PAYMENTS, "payment");

    @TempDir Path dir;

    /**
     * An Avro record schema from {@code name:type} pairs: an Avro primitive or one of the logical
     * types {@code timestamp-millis}, {@code timestamp-micros}, {@code date}, {@code time-micros};
     * a trailing {@code ?} makes the field nullable.
     */
    private static Schema schema(String... fields) {
        List<String> json = new ArrayList<>();
        for (String f : fields) {
            String name = f.substring(0, f.indexOf(':'));
            String type = f.substring(f.indexOf(':') + 1).replace("?", "");
            String avro =
                    type.contains("-") || type.equals("date")
                            ? "{\"type\":\""
                                    + (type.equals("date") ? "int" : "long")
                                    + "\",\"logicalType\":\""
                                    + type
                                    + "\"}"
                            : type.equals("string[]")
                                    ? "{\"type\":\"array\",\"items\":\"string\"}"
                                    : "\"" + type + "\"";
            json.add(
                    f.endsWith("?")
                            ? "{\"name\":\""
                                    + name
                                    + "\",\"type\":[\"null\","
                                    + avro
                                    + "],\"default\":null}"
                            : "{\"name\":\"" + name + "\",\"type\":" + avro + "}");
        }
        return new Schema.Parser()
                .parse(
                        "{\"type\":\"record\",\"name\":\"r\",\"fields\":["
                                + String.join(",", json)
                                + "]}");
    }

    /** A Parquet file of {@code rows}, each the values of {@code schema}'s fields in order. */
    private Path write(String name, Schema schema, Object[]... rows) throws IOException {
        Path file = dir.resolve(name);
        try (ParquetWriter<GenericRecord> writer =
                AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
                        .withSchema(schema)
                        .build()) {
            for (Object[] values : rows) {
                GenericRecord r = new GenericData.Record(schema);
                for (int i = 0; i < values.length; i++) {
                    r.put(i, values[i]);
                }
                writer.write(r);
            }
        }
        return file;
    }

    private static Object[] row(Object... values) {
        return values;
    }

    private static List<DecodedRow> readAll(Path file, RowDecoder decoder) throws IOException {
        List<DecodedRow> out = new ArrayList<>();
        SpecFileInput.forEachRow(file.toString(), decoder, out::add);
        return out;
    }

    private static long micros(String iso) {
        Instant i = Instant.parse(iso);
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000L;
    }

    private static long ms(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void readsFlightsRowsNumberedFromZeroAndRejectsBadOnesWithTheReason() throws IOException {
        long dep = micros("2001-01-01T00:01:00.123456Z");
        Path file =
                write(
                        "flights.parquet",
                        FLIGHTS_FILE,
                        row(dep, 5L, 740L, "ORD", "JFK"),
                        row(dep, null, 740L, "ORD", "JFK"),
                        row(dep, 5L, -3L, "ORD", "JFK"),
                        row(null, 5L, 740L, "ORD", "JFK"),
                        row(dep, 5L, 740L, null, "JFK"),
                        row(dep + 60_000_000L, -12L, 0L, "ATL", "SAV"));

        List<DecodedRow> rows = readAll(file, RowDecoder.forSource(FLIGHTS));

        assertThat(rows).extracting(r -> r.line).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(rows).allSatisfy(r -> assertThat(r.source).isEqualTo("flights.parquet"));
        assertThat(rows)
                .extracting(r -> r.reason)
                .containsExactly(
                        null,
                        "missing field 'delay'",
                        "field 'distance' must not be negative: distance = -3",
                        "missing field 'date'",
                        "missing field 'origin'",
                        null);
        long millis = ms("2001-01-01T00:01:00.123Z");
        // the file has no id column: the id is the row index
        assertThat(rows.get(0).events[0])
                .isEqualTo(
                        new EventRow(
                                DEPARTURE,
                                0,
                                millis,
                                new Object[] {0L, millis, "ORD", "JFK", 740L}));
        assertThat(rows.get(5).events[0])
                .isEqualTo(
                        new EventRow(
                                DEPARTURE,
                                5,
                                millis + 60_000L,
                                new Object[] {5L, millis + 60_000L, "ATL", "SAV", 0L}));
        assertThat(rows.get(5).events[1].values[4]).isEqualTo(-12L);
        assertThat(rows.get(2).raw).contains("\"distance\": -3").contains("\"origin\": \"ORD\"");
        assertThat(rows.get(2).events).isEmpty();
    }

    @Test
    void microsecondsBeforeTheEpochFloorToMilliseconds() throws IOException {
        Path file =
                write(
                        "early.parquet",
                        FLIGHTS_FILE,
                        row(-1_500L, 0L, 8L, "A", "B"),
                        row(-1_000L, 0L, 8L, "A", "B"),
                        row(1_999L, 0L, 8L, "A", "B"));

        assertThat(readAll(file, RowDecoder.forSource(FLIGHTS)))
                .extracting(r -> r.events[0].time)
                .containsExactly(-2L, -1L, 1L);
    }

    @Test
    void timestampsAreEpochMillisOrAParquetTimestampInAnyUnit() throws IOException {
        long t = ms("2026-01-01T10:00:00.007Z");
        Path plain =
                write(
                        "plain.parquet",
                        schema("ts:long", "card:string", "amount:double", "ok:boolean"),
                        row(t, "c", 1.0, true));
        Path millis =
                write(
                        "millis.parquet",
                        schema("ts:timestamp-millis", "card:string", "amount:double", "ok:boolean"),
                        row(t, "c", 1.0, true));
        Path micros =
                write(
                        "micros.parquet",
                        schema("ts:timestamp-micros", "card:string", "amount:double", "ok:boolean"),
                        row(t * 1_000L + 999L, "c", 1.0, true));
        Path nanos = writeNanos("nanos.parquet", t * 1_000_000L + 999_999L);

        for (Path f : List.of(plain, millis, micros, nanos)) {
            assertThat(readAll(f, PAYMENT))
                    .as("%s", f.getFileName())
                    .singleElement()
                    .satisfies(r -> assertThat(r.events[0].time).isEqualTo(t))
                    .satisfies(r -> assertThat(r.events[0].values[1]).isEqualTo(t));
        }
    }

    /** Avro 1.11 has no timestamp-nanos: written with Parquet's own example writer. */
    private Path writeNanos(String name, long nanos) throws IOException {
        MessageType type =
                MessageTypeParser.parseMessageType(
                        "message r { required int64 ts (TIMESTAMP(NANOS,true));"
                                + " required binary card (STRING); required double amount;"
                                + " required boolean ok; }");
        Path file = dir.resolve(name);
        try (ParquetWriter<Group> writer =
                ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(type).build()) {
            writer.write(
                    new SimpleGroupFactory(type)
                            .newGroup()
                            .append("ts", nanos)
                            .append("card", "c")
                            .append("amount", 1.0)
                            .append("ok", true));
        }
        return file;
    }

    @Test
    void anIdFieldTheFileLacksIsTheRowIndex() throws IOException {
        Path noId =
                write(
                        "no-id.parquet",
                        schema("ts:long", "card:string", "amount:double", "ok:boolean"),
                        row(5_000L, "a", 1.0, true),
                        row(6_000L, "b", 2.0, false),
                        row(7_000L, "c", 3.0, true));
        Path withId =
                write(
                        "with-id.parquet",
                        schema("id:long", "ts:long", "card:string", "amount:double", "ok:boolean"),
                        row(70L, 5_000L, "a", 1.0, true),
                        row(80L, 6_000L, "b", 2.0, false));

        assertThat(readAll(noId, PAYMENT))
                .extracting(r -> r.events[0].id)
                .containsExactly(0L, 1L, 2L);
        assertThat(readAll(noId, PAYMENT).get(2).events[0].values)
                .containsExactly(2L, 7_000L, "c", 3.0, true);
        assertThat(readAll(withId, PAYMENT))
                .extracting(r -> r.events[0].id)
                .containsExactly(70L, 80L);
    }

    @Test
    void aMissingColumnFailsNamingTheFileTheColumnAndTheSpec() throws IOException {
        Path payments =
                write(
                        "pay.parquet",
                        schema("id:long", "ts:long", "amount:double", "ok:boolean"),
                        row(1L, 5_000L, 1.0, true));
        Path flights =
                write(
                        "flights.parquet",
                        schema(
                                "date:timestamp-micros",
                                "distance:long",
                                "origin:string",
                                "destination:string"),
                        row(0L, 8L, "A", "B"));

        assertThatThrownBy(() -> readAll(payments, PAYMENT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--events: pay.parquet: no column 'card' (the payment events of spec"
                                + " pay_v1 need it); columns: id, ts, amount, ok");
        // only the id may be absent: the delay is no row index
        assertThatThrownBy(() -> readAll(flights, RowDecoder.forSource(FLIGHTS)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--events: flights.parquet: no column 'delay' (the source rows of spec"
                                + " flights_v1 need it); columns: date, distance, origin,"
                                + " destination");
    }

    @Test
    void aColumnOfTheWrongTypeFailsNamingIt() throws IOException {
        assertThat(typeProblem(schema("ts:long", "card:string", "amount:string", "ok:boolean")))
                .hasMessage(
                        "--events: wrong.parquet: column 'amount' is BINARY, which a double field"
                                + " cannot read");
        assertThat(typeProblem(schema("ts:string", "card:string", "amount:double", "ok:boolean")))
                .hasMessage(
                        "--events: wrong.parquet: column 'ts' is BINARY, which a timestamp field"
                                + " cannot read");
        assertThat(typeProblem(schema("ts:long", "card:long", "amount:double", "ok:boolean")))
                .hasMessage(
                        "--events: wrong.parquet: column 'card' is INT64, which a string field"
                                + " cannot read");
        assertThat(typeProblem(schema("ts:long", "card:string", "amount:double", "ok:int")))
                .hasMessage(
                        "--events: wrong.parquet: column 'ok' is INT32, which a boolean field"
                                + " cannot read");
        assertThat(
                        typeProblem(
                                schema(
                                        "id:double",
                                        "ts:long",
                                        "card:string",
                                        "amount:double",
                                        "ok:boolean")))
                .hasMessage(
                        "--events: wrong.parquet: column 'id' is DOUBLE, which a long field"
                                + " cannot read");
        assertThat(typeProblem(schema("ts:long", "card:string[]", "amount:double", "ok:boolean")))
                .hasMessage("--events: wrong.parquet: column 'card' is not a plain value");
    }

    @Test
    void aDateOrTimeOfDayColumnIsNoTimestamp() throws IOException {
        // days since the epoch, or microseconds since midnight, are no epoch milliseconds
        assertThat(typeProblem(schema("ts:date", "card:string", "amount:double", "ok:boolean")))
                .hasMessage(
                        "--events: wrong.parquet: column 'ts' is INT32 (DATE), which a timestamp"
                                + " field cannot read");
        assertThat(
                        typeProblem(
                                schema(
                                        "ts:time-micros",
                                        "card:string",
                                        "amount:double",
                                        "ok:boolean")))
                .hasMessage(
                        "--events: wrong.parquet: column 'ts' is INT64 (TIME(MICROS,true)), which"
                                + " a timestamp field cannot read");
    }

    /** What {@link SpecParquetFormat#forFile} says of a one-row file of {@code schema}. */
    private IllegalArgumentException typeProblem(Schema schema) throws IOException {
        Object[] values = new Object[schema.getFields().size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = sample(schema.getFields().get(i).schema());
        }
        Files.deleteIfExists(dir.resolve("wrong.parquet"));
        Path file = write("wrong.parquet", schema, values);
        IllegalArgumentException e = null;
        try {
            SpecParquetFormat.forFile(file.toString(), PAYMENT);
        } catch (IllegalArgumentException thrown) {
            e = thrown;
        }
        assertThat(e).as("forFile accepted %s", schema).isNotNull();
        return e;
    }

    private static Object sample(Schema s) {
        switch (s.getType()) {
            case STRING:
                return "x";
            case INT:
                return 1;
            case LONG:
                return 1L;
            case DOUBLE:
                return 1.0;
            case BOOLEAN:
                return true;
            case ARRAY:
                return List.of("x");
            default:
                throw new AssertionError(s);
        }
    }

    @Test
    void narrowerNumbersWidenAndOtherColumnsAreIgnored() throws IOException {
        Path file =
                write(
                        "narrow.parquet",
                        schema(
                                "note:string",
                                "id:int",
                                "ts:long",
                                "card:string",
                                "amount:float",
                                "ok:boolean"),
                        row("ignored", 7, 5_000L, "c", 1.5f, true));

        assertThat(readAll(file, PAYMENT))
                .singleElement()
                .satisfies(
                        r ->
                                assertThat(r.events[0].values)
                                        .containsExactly(7L, 5_000L, "c", 1.5, true));
    }

    @Test
    void badValuesAreRejectedNamingTheField() throws IOException {
        Path file =
                write(
                        "values.parquet",
                        schema("ts:long?", "card:string?", "amount:double?", "ok:boolean?"),
                        row(5_000L, "c", Double.NaN, true),
                        row(5_000L, "two\nlines", 1.0, true),
                        row(5_000L, null, 1.0, true),
                        row(null, "c", 1.0, true),
                        row(5_000L, "c", null, null));

        List<DecodedRow> rows = readAll(file, PAYMENT);

        assertThat(rows)
                .extracting(r -> r.reason)
                .containsExactly(
                        "field 'amount': expected a finite number, got NaN",
                        "field 'card': line breaks are not allowed in a string value",
                        "missing field 'card'",
                        "payment event without a time ('ts' is empty)",
                        null);
        assertThat(rows).extracting(r -> r.line).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(rows.get(0).raw)
                .isEqualTo("{\"ts\": 5000, \"card\": \"c\", \"amount\": \"NaN\", \"ok\": true}");
        assertThat(rows.get(4).events[0].values).containsExactly(4L, 5_000L, "c", null, null);
    }

    @Test
    void stringsThatAreNotUtf8OrTooLongAreRejectedNamingTheField() throws IOException {
        byte[] latin1 = "S\u00e3o".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Path file =
                write(
                        "text.parquet",
                        schema("ts:long?", "card:string?", "amount:double?", "ok:boolean?"),
                        row(5_000L, new org.apache.avro.util.Utf8(latin1), 1.0, true),
                        row(5_000L, "S\u00e3o \uFFFD", 1.0, true),
                        row(5_000L, "c".repeat(1025), 1.0, true),
                        row(5_000L, "c".repeat(1024), 1.0, true));

        List<DecodedRow> rows = readAll(file, PAYMENT);

        assertThat(rows)
                .extracting(r -> r.reason)
                .containsExactly(
                        "field 'card': not valid UTF-8 text",
                        null, // a replacement character written as valid UTF-8 is text
                        "field 'card' is longer than 1024 characters (1025)",
                        null);
        assertThat(rows.get(1).events[0].values).contains("S\u00e3o \uFFFD");
    }

    @Test
    void aTruncatedOrForeignFileFailsNamingIt() throws IOException {
        Path whole =
                write(
                        "whole.parquet",
                        schema("ts:long?", "card:string?", "amount:double?", "ok:boolean?"),
                        row(5_000L, "c", 1.0, true));
        byte[] bytes = Files.readAllBytes(whole);
        Path truncated = dir.resolve("truncated.parquet");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Path csv = dir.resolve("csv.parquet");
        Files.writeString(csv, "id,ts,card,amount,ok\n1,5000,c,1.5,true\n");
        Path empty = dir.resolve("empty.parquet");
        Files.write(empty, new byte[0]);

        for (Path bad : List.of(truncated, csv, empty)) {
            assertThatThrownBy(() -> readAll(bad, PAYMENT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(
                            "--events: " + bad.getFileName() + ": not a readable Parquet file (")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void dataThatDoesNotDecodeFailsNamingTheFileAndTheRow() throws IOException {
        Path whole =
                write(
                        "whole.parquet",
                        schema("ts:long?", "card:string?", "amount:double?", "ok:boolean?"),
                        row(5_000L, "c", 1.0, true));
        byte[] bytes = Files.readAllBytes(whole);
        // the first page header, right after the leading magic number; the footer stays intact
        java.util.Arrays.fill(bytes, 4, 24, (byte) 0xFF);
        Path corrupt = dir.resolve("corrupt.parquet");
        Files.write(corrupt, bytes);

        assertThatThrownBy(() -> readAll(corrupt, PAYMENT))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("corrupt.parquet: row 0: not readable Parquet data (")
                .hasMessageNotContaining("\n");
    }

    @Test
    void forEachRowStopsWhenTheSinkSaysSo() throws IOException {
        Object[][] records = new Object[10][];
        for (int i = 0; i < records.length; i++) {
            records[i] = row(i * 1_000_000L, (long) i, 8L, "A", "B");
        }
        Path file = write("flights.parquet", FLIGHTS_FILE, records);
        List<DecodedRow> seen = new ArrayList<>();

        SpecFileInput.forEachRow(
                file.toString(),
                RowDecoder.forSource(FLIGHTS),
                r -> {
                    seen.add(r);
                    return seen.size() < 3;
                });

        assertThat(seen).extracting(r -> r.events[0].id).containsExactly(0L, 1L, 2L);
    }

    @Test
    void isNotSplittableProducesDecodedRowsAndIsChosenByTheExtension() throws IOException {
        Path file =
                write(
                        "p.PARQUET",
                        schema("ts:long", "card:string", "amount:double", "ok:boolean"),
                        row(1L, "c", 1.0, true));

        assertThat(SpecFileInput.formatFor(file.toString(), PAYMENT))
                .isInstanceOfSatisfying(
                        SpecParquetFormat.class,
                        f -> {
                            assertThat(f.isSplittable()).isFalse();
                            assertThat(f.getProducedType()).isSameAs(EngineTypes.DECODED);
                            assertThat(f.getProducedType().getTypeClass())
                                    .isEqualTo(DecodedRow.class);
                        });
        String missing = dir.resolve("missing.parquet").toString();
        assertThatThrownBy(() -> SpecFileInput.formatFor(missing, PAYMENT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--events: " + missing + ": no such file");
    }
}
