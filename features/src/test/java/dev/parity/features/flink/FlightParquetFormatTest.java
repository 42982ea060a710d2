package dev.parity.features.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.io.RowResult;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads a Parquet file shaped like flights-3m.parquet (ZSTD, int64 micros) written here. */
class FlightParquetFormatTest {
    private static final Schema FILE_SCHEMA =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"root\",\"fields\":["
                                    + "{\"name\":\"date\",\"type\":[\"null\",{\"type\":\"long\","
                                    + "\"logicalType\":\"local-timestamp-micros\"}]},"
                                    + "{\"name\":\"delay\",\"type\":[\"null\",\"long\"]},"
                                    + "{\"name\":\"distance\",\"type\":[\"null\",\"long\"]},"
                                    + "{\"name\":\"origin\",\"type\":[\"null\",\"string\"]},"
                                    + "{\"name\":\"destination\",\"type\":[\"null\",\"string\"]}]}");

    @TempDir Path tmp;

    @Test
    void rowsAreNumberedFromZeroAndBadRowsNameTheField() throws Exception {
        Path file = tmp.resolve("flights.parquet");
        long t0 = Instant.parse("2001-01-01T00:01:00Z").toEpochMilli();
        try (ParquetWriter<GenericRecord> w =
                AvroParquetWriter.<GenericRecord>builder(
                                HadoopOutputFile.fromPath(
                                        new org.apache.hadoop.fs.Path(file.toUri()),
                                        new Configuration()))
                        .withSchema(FILE_SCHEMA)
                        .withCompressionCodec(CompressionCodecName.ZSTD)
                        .build()) {
            w.write(record(t0 * 1000, 33L, 2176L, "LAS", "PHL"));
            w.write(record(t0 * 1000 + 999, 19L, 215L, "ATL", "SAV"));
            w.write(record(null, 1L, 1L, "A", "B"));
            w.write(record(t0 * 1000, 1L, -5L, "A", "B"));
            w.write(record(t0 * 1000, 1L, 5L, "A", null));
        }

        List<RowResult> rows = new ArrayList<>();
        FlightParquetFormat.forEachRow(file.toString(), r -> rows.add(r));

        assertThat(rows).extracting(r -> r.line).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(rows.get(0).row.id).isZero();
        assertThat(rows.get(0).row.depTime).isEqualTo(t0);
        assertThat(rows.get(1).row.id).isEqualTo(1);
        assertThat(rows.get(1).row.depTime).isEqualTo(t0); // 999 µs round down to the ms
        assertThat(rows.get(1).row.origin).isEqualTo("ATL");
        assertThat(rows.get(2).reason).isEqualTo("missing field 'date'");
        assertThat(rows.get(3).reason).isEqualTo("field 'distance' must not be negative, got -5");
        assertThat(rows.get(4).reason).isEqualTo("missing field 'destination'");
        assertThat(rows.get(4).source).isEqualTo("flights.parquet");
    }

    private static GenericRecord record(
            Long micros, Long delay, Long distance, String origin, String dest) {
        GenericRecord r = new GenericData.Record(FILE_SCHEMA);
        r.put("date", micros);
        r.put("delay", delay);
        r.put("distance", distance);
        r.put("origin", origin);
        r.put("destination", dest);
        return r;
    }
}
