package dev.parity.features.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.events.FlightRow;
import dev.parity.features.io.RowResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlightParquetFormatTest {
    /** Like the original file: a microsecond timestamp, longs and strings, all nullable. */
    private static final Schema FILE_SCHEMA =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"schema\",\"fields\":["
                                    + "{\"name\":\"date\",\"type\":[\"null\",{\"type\":\"long\","
                                    + "\"logicalType\":\"timestamp-micros\"}],\"default\":null},"
                                    + "{\"name\":\"delay\",\"type\":[\"null\",\"long\"],"
                                    + "\"default\":null},"
                                    + "{\"name\":\"distance\",\"type\":[\"null\",\"long\"],"
                                    + "\"default\":null},"
                                    + "{\"name\":\"origin\",\"type\":[\"null\",\"string\"],"
                                    + "\"default\":null},"
                                    + "{\"name\":\"destination\",\"type\":[\"null\",\"string\"],"
                                    + "\"default\":null}]}");

    @TempDir Path dir;

    private static long micros(String iso) {
        Instant i = Instant.parse(iso);
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000L;
    }

    private static GenericRecord record(
            Long date, Long delay, Long distance, String origin, String dest) {
        GenericRecord r = new GenericData.Record(FILE_SCHEMA);
        r.put("date", date);
        r.put("delay", delay);
        r.put("distance", distance);
        r.put("origin", origin);
        r.put("destination", dest);
        return r;
    }

    private Path write(List<GenericRecord> records) throws IOException {
        Path file = dir.resolve("flights.parquet");
        try (ParquetWriter<GenericRecord> writer =
                AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
                        .withSchema(FILE_SCHEMA)
                        .build()) {
            for (GenericRecord r : records) {
                writer.write(r);
            }
        }
        return file;
    }

    private static List<RowResult> readAll(Path file) throws IOException {
        List<RowResult> out = new ArrayList<>();
        FlightParquetFormat.forEachRow(file.toString(), out::add);
        return out;
    }

    @Test
    void readsRowsNumberedFromZeroAndRejectsBadOnesNamingTheField() throws IOException {
        long dep = micros("2001-01-01T00:01:00.123456Z");
        Path file =
                write(
                        List.of(
                                record(dep, 5L, 740L, "ORD", "JFK"),
                                record(dep, null, 740L, "ORD", "JFK"),
                                record(dep, 5L, -3L, "ORD", "JFK"),
                                record(null, 5L, 740L, "ORD", "JFK"),
                                record(dep, 5L, 740L, null, "JFK"),
                                record(dep + 60_000_000L, -12L, 0L, "ATL", "SAV")));

        List<RowResult> rows = readAll(file);

        assertThat(rows).extracting(r -> r.line).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(rows).allSatisfy(r -> assertThat(r.source).isEqualTo("flights.parquet"));
        assertThat(rows)
                .extracting(RowResult::isValid)
                .containsExactly(true, false, false, false, false, true);

        long millis = Instant.parse("2001-01-01T00:01:00.123Z").toEpochMilli();
        assertThat(rows.get(0).row).isEqualTo(new FlightRow(0, millis, 5, 740, "ORD", "JFK"));
        assertThat(rows.get(5).row)
                .isEqualTo(new FlightRow(5, millis + 60_000L, -12, 0, "ATL", "SAV"));

        assertThat(rows.get(1).reason).isEqualTo("missing field 'delay'");
        assertThat(rows.get(2).reason).contains("'distance'").contains("-3");
        assertThat(rows.get(3).reason).isEqualTo("missing field 'date'");
        assertThat(rows.get(4).reason).isEqualTo("missing field 'origin'");
        assertThat(rows.get(2).raw).contains("-3").contains("ORD");
    }

    @Test
    void microsecondsBeforeTheEpochFloorToMilliseconds() throws IOException {
        Path file = write(List.of(record(-1_500L, 0L, 8L, "A", "B")));

        assertThat(readAll(file).get(0).row.depTime).isEqualTo(-2L);
    }

    @Test
    void forEachRowStopsWhenTheSinkSaysSo() throws IOException {
        List<GenericRecord> records = new ArrayList<>();
        for (long i = 0; i < 10; i++) {
            records.add(record(i * 1_000_000L, i, 8L, "A", "B"));
        }
        Path file = write(records);
        List<RowResult> seen = new ArrayList<>();

        FlightParquetFormat.forEachRow(
                file.toString(),
                r -> {
                    seen.add(r);
                    return seen.size() < 3;
                });

        assertThat(seen).extracting(r -> r.row.id).containsExactly(0L, 1L, 2L);
    }

    @Test
    void isNotSplittableAndProducesRowResultPojos() {
        FlightParquetFormat format = new FlightParquetFormat("f.parquet");

        assertThat(format.isSplittable()).isFalse();
        assertThat(format.getProducedType().getTypeClass()).isEqualTo(RowResult.class);
    }
}
