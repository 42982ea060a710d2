package dev.parity.features.flink;

import dev.parity.features.events.FlightRow;
import dev.parity.features.io.FlightCsv;
import dev.parity.features.io.RowResult;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.formats.parquet.avro.AvroParquetReaders;

/**
 * Reads the original {@code flights-3m.parquet} (columns {@code date} as INT64 microseconds, {@code
 * delay}, {@code distance}, {@code origin}, {@code destination}) through flink-parquet, numbering
 * rows from 0: the row index is the flight id (examples/flights/README.md). Rows with a null or
 * invalid field become rejected results naming the field.
 */
public final class FlightParquetFormat implements StreamFormat<RowResult> {
    private static final long serialVersionUID = 1L;

    /** Read schema: the file's columns, all nullable, as plain longs and strings. */
    static final String READ_SCHEMA =
            "{\"type\":\"record\",\"name\":\"flight\",\"fields\":["
                    + "{\"name\":\"date\",\"type\":[\"null\",\"long\"],\"default\":null},"
                    + "{\"name\":\"delay\",\"type\":[\"null\",\"long\"],\"default\":null},"
                    + "{\"name\":\"distance\",\"type\":[\"null\",\"long\"],\"default\":null},"
                    + "{\"name\":\"origin\",\"type\":[\"null\",\"string\"],\"default\":null},"
                    + "{\"name\":\"destination\",\"type\":[\"null\",\"string\"],\"default\":null}"
                    + "]}";

    private final String sourceName;
    private final StreamFormat<GenericRecord> parquet;

    public FlightParquetFormat(String sourceName) {
        this.sourceName = sourceName;
        this.parquet = AvroParquetReaders.forGenericRecord(new Schema.Parser().parse(READ_SCHEMA));
    }

    @Override
    public Reader<RowResult> createReader(
            Configuration config, FSDataInputStream stream, long fileLen, long splitEnd)
            throws IOException {
        return new RowReader(parquet.createReader(config, stream, fileLen, splitEnd), sourceName);
    }

    @Override
    public Reader<RowResult> restoreReader(
            Configuration config,
            FSDataInputStream stream,
            long restoredOffset,
            long fileLen,
            long splitEnd)
            throws IOException {
        // RowReader reports no offset, so recovery always restarts the file and skips records.
        return createReader(config, stream, fileLen, splitEnd);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<RowResult> getProducedType() {
        return TypeInformation.of(RowResult.class);
    }

    /** Reads a whole Parquet file outside a job; see {@link FlightFileInput#forEachRow}. */
    public static void forEachRow(String file, RowSink sink) throws IOException {
        FlightFileInput.forEachRow(file, sink);
    }

    /** Receives rows from {@link #forEachRow}; returns false to stop. */
    @FunctionalInterface
    public interface RowSink {
        boolean accept(RowResult row) throws IOException;
    }

    /** Converts one Avro record of the file into a row; package-private for tests. */
    static RowResult toRow(String source, long index, GenericRecord r) {
        Object date = r.get("date");
        Object delay = r.get("delay");
        Object distance = r.get("distance");
        Object origin = r.get("origin");
        Object dest = r.get("destination");
        String missing =
                date == null
                        ? "date"
                        : delay == null
                                ? "delay"
                                : distance == null
                                        ? "distance"
                                        : origin == null
                                                ? "origin"
                                                : dest == null ? "destination" : null;
        if (missing != null) {
            return RowResult.rejected(source, index, "missing field '" + missing + "'", raw(r));
        }
        FlightRow row =
                new FlightRow(
                        index,
                        Math.floorDiv((Long) date, 1000L),
                        (Long) delay,
                        (Long) distance,
                        origin.toString(),
                        dest.toString());
        String problem = FlightCsv.validate(row);
        return problem == null
                ? RowResult.ok(source, index, row)
                : RowResult.rejected(source, index, problem, raw(r));
    }

    private static String raw(GenericRecord r) {
        return String.valueOf(r);
    }

    private static final class RowReader implements Reader<RowResult> {
        private final Reader<GenericRecord> in;
        private final String sourceName;
        private long index;

        RowReader(Reader<GenericRecord> in, String sourceName) {
            this.in = in;
            this.sourceName = sourceName;
        }

        @Override
        public RowResult read() throws IOException {
            GenericRecord r = in.read();
            if (r == null) {
                return null;
            }
            return toRow(sourceName, index++, r);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
