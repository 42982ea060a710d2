package dev.parity.features.engine;

import dev.parity.features.spec.FieldType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.formats.parquet.avro.AvroParquetReaders;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads a Parquet file whose columns are named as the fields of a {@link RowDecoder}, numbering
 * rows from 0. The columns' types come from the file's footer, read when the job is built: a {@code
 * timestamp} field reads a Parquet timestamp in milli-, micro- or nanoseconds (floored to the
 * millisecond) or a plain INT64 of epoch milliseconds; numbers and strings read their Parquet
 * counterparts. A field the file lacks fails the read, except an {@code id} field of type long,
 * which is then the row index (as for vega-datasets' flights, whose ids are row numbers). Values go
 * through the same validation as CSV and Kafka ({@link FieldValues#check}).
 */
public final class SpecParquetFormat implements StreamFormat<DecodedRow> {
    private static final long serialVersionUID = 1L;

    private final String sourceName;
    private final RowDecoder decoder;
    private final String readSchema;
    private final long[] microsPerUnit; // per field: divisor to millis for timestamps, else 0
    private final boolean[] rowIndex; // per field: filled with the row index
    private final StreamFormat<GenericRecord> parquet;

    private SpecParquetFormat(
            String sourceName,
            RowDecoder decoder,
            String readSchema,
            long[] divisor,
            boolean[] rowIndex) {
        this.sourceName = sourceName;
        this.decoder = decoder;
        this.readSchema = readSchema;
        this.microsPerUnit = divisor;
        this.rowIndex = rowIndex;
        this.parquet = AvroParquetReaders.forGenericRecord(new Schema.Parser().parse(readSchema));
    }

    /**
     * The format for {@code file}, checked against its footer.
     *
     * @throws IllegalArgumentException naming the file and the column when a field is missing or
     *     has a type the field cannot take
     */
    public static SpecParquetFormat forFile(String file, RowDecoder decoder) {
        MessageType schema;
        try (ParquetFileReader reader =
                ParquetFileReader.open(
                        HadoopInputFile.fromPath(
                                new org.apache.hadoop.fs.Path(file),
                                new org.apache.hadoop.conf.Configuration()))) {
            schema = reader.getFooter().getFileMetaData().getSchema();
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalArgumentException("--events: " + file + ": no such file", e);
        } catch (IOException | RuntimeException e) {
            // a file cut short, empty or of another format: Parquet says so in its own words
            // (a RuntimeException for a missing magic number), one line is all a user needs
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IllegalArgumentException(
                    "--events: "
                            + new org.apache.flink.core.fs.Path(file).getName()
                            + ": not a readable Parquet file ("
                            + Csv.singleLine(why.replace(file, "the file"))
                            + ")",
                    e);
        }
        String name = new org.apache.flink.core.fs.Path(file).getName();
        int n = decoder.width();
        long[] divisor = new long[n];
        boolean[] rowIndex = new boolean[n];
        List<String> fields = new ArrayList<>();
        for (int f = 0; f < n; f++) {
            String field = decoder.field(f);
            FieldType type = decoder.type(f);
            if (!schema.containsField(field)) {
                if (decoder.isIdField(f)) {
                    rowIndex[f] = true;
                    continue;
                }
                throw new IllegalArgumentException(
                        "--events: "
                                + name
                                + ": no column '"
                                + field
                                + "' (the "
                                + decoder.describe()
                                + " of spec "
                                + decoder.plan().name()
                                + " need it); columns: "
                                + columns(schema));
            }
            Type column = schema.getType(field);
            String avroType = avroType(name, field, type, column);
            if (type == FieldType.TIMESTAMP) {
                divisor[f] = divisor(column);
            }
            fields.add(
                    "{\"name\":\""
                            + field
                            + "\",\"type\":[\"null\",\""
                            + avroType
                            + "\"],\"default\":null}");
        }
        String readSchema =
                "{\"type\":\"record\",\"name\":\"row\",\"fields\":["
                        + String.join(",", fields)
                        + "]}";
        return new SpecParquetFormat(name, decoder, readSchema, divisor, rowIndex);
    }

    private static String columns(MessageType schema) {
        List<String> names = new ArrayList<>();
        schema.getFields().forEach(t -> names.add(t.getName()));
        return String.join(", ", names);
    }

    private static String avroType(String file, String field, FieldType type, Type column) {
        if (!column.isPrimitive()) {
            throw new IllegalArgumentException(
                    "--events: " + file + ": column '" + field + "' is not a plain value");
        }
        PrimitiveType.PrimitiveTypeName p = column.asPrimitiveType().getPrimitiveTypeName();
        boolean ok;
        String avro;
        switch (type) {
            case STRING:
                ok = p == PrimitiveType.PrimitiveTypeName.BINARY;
                avro = "string";
                break;
            case LONG:
            case TIMESTAMP:
                ok =
                        p == PrimitiveType.PrimitiveTypeName.INT64
                                || p == PrimitiveType.PrimitiveTypeName.INT32;
                avro = "long";
                break;
            case DOUBLE:
                ok =
                        p == PrimitiveType.PrimitiveTypeName.DOUBLE
                                || p == PrimitiveType.PrimitiveTypeName.FLOAT;
                avro = "double";
                break;
            case BOOLEAN:
                ok = p == PrimitiveType.PrimitiveTypeName.BOOLEAN;
                avro = "boolean";
                break;
            default:
                throw new AssertionError(type);
        }
        LogicalTypeAnnotation a = column.getLogicalTypeAnnotation();
        // a DATE (days) or TIME (since midnight) integer is no count of epoch milliseconds
        boolean notAnInstant =
                ok
                        && type == FieldType.TIMESTAMP
                        && a != null
                        && !(a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation)
                        && !(a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation);
        if (!ok || notAnInstant) {
            throw new IllegalArgumentException(
                    "--events: "
                            + file
                            + ": column '"
                            + field
                            + "' is "
                            + p
                            + (notAnInstant ? " (" + a + ")" : "")
                            + ", which a "
                            + type.specName()
                            + " field cannot read");
        }
        return avro;
    }

    /** What to divide the column's values by to get milliseconds. */
    private static long divisor(Type column) {
        LogicalTypeAnnotation a = column.getLogicalTypeAnnotation();
        if (a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
            switch (((LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) a).getUnit()) {
                case MICROS:
                    return 1_000L;
                case NANOS:
                    return 1_000_000L;
                default:
                    return 1L;
            }
        }
        return 1L; // a plain integer: epoch milliseconds
    }

    @Override
    public Reader<DecodedRow> createReader(
            Configuration config, FSDataInputStream stream, long fileLen, long splitEnd)
            throws IOException {
        Reader<GenericRecord> in = parquet.createReader(config, stream, fileLen, splitEnd);
        return new Reader<>() {
            private long index;

            @Override
            public DecodedRow read() throws IOException {
                GenericRecord r;
                try {
                    r = in.read();
                } catch (IOException | RuntimeException e) {
                    // a page or column chunk that does not decode: the rest of the file is suspect
                    String why =
                            e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                    throw new BadInputException(
                            sourceName
                                    + ": row "
                                    + index
                                    + ": not readable Parquet data ("
                                    + Csv.singleLine(why)
                                    + ")",
                            e);
                }
                if (r == null) {
                    return null;
                }
                return decode(index++, r);
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    private DecodedRow decode(long index, GenericRecord r) {
        Object[] values = new Object[rowIndex.length];
        for (int f = 0; f < values.length; f++) {
            if (rowIndex[f]) {
                values[f] = index;
                continue;
            }
            Object v = r.get(decoder.field(f));
            if (v instanceof Utf8 && !isUtf8((Utf8) v)) {
                return DecodedRow.rejected(
                        sourceName,
                        index,
                        "field '" + decoder.field(f) + "': not valid UTF-8 text",
                        String.valueOf(r));
            }
            if (v != null && microsPerUnit[f] > 1) {
                v = Math.floorDiv(((Number) v).longValue(), microsPerUnit[f]);
            }
            try {
                values[f] = FieldValues.check(decoder.type(f), v);
            } catch (IllegalArgumentException e) {
                return DecodedRow.rejected(
                        sourceName,
                        index,
                        "field '" + decoder.field(f) + "': " + e.getMessage(),
                        String.valueOf(r));
            }
        }
        try {
            return DecodedRow.ok(sourceName, index, decoder.decode(values));
        } catch (IllegalArgumentException e) {
            return DecodedRow.rejected(sourceName, index, e.getMessage(), String.valueOf(r));
        }
    }

    /**
     * Whether a Parquet string's bytes are UTF-8. Avro decodes them leniently (bad bytes become
     * U+FFFD), so only a string holding U+FFFD needs its bytes checked.
     */
    private static boolean isUtf8(Utf8 s) {
        if (s.toString().indexOf('\uFFFD') < 0) {
            return true;
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(s.getBytes(), 0, s.getByteLength()));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Override
    public Reader<DecodedRow> restoreReader(
            Configuration config,
            FSDataInputStream stream,
            long restoredOffset,
            long fileLen,
            long splitEnd)
            throws IOException {
        return createReader(config, stream, fileLen, splitEnd);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<DecodedRow> getProducedType() {
        return EngineTypes.DECODED;
    }

    @Override
    public String toString() {
        return "SpecParquetFormat{" + sourceName + ", " + readSchema + "}";
    }
}
