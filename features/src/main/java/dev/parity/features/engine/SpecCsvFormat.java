package dev.parity.features.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads an RFC 4180 CSV file (quoted fields with commas, quotes and line breaks; an empty field is
 * null) whose header names the fields of a {@link RowDecoder}, in any order. Each line becomes a
 * {@link DecodedRow}: its events, or the reason it is rejected with the file, line and field. A
 * header that lacks a field or has an unknown column fails the read with one line naming them. The
 * text is UTF-8 (a leading byte order mark is skipped): bytes that do not decode reject their row,
 * naming the field, instead of failing the file or reaching the features as other text. Gzipped
 * files ({@code .csv.gz}) are decompressed by Flink's file source.
 */
public final class SpecCsvFormat implements StreamFormat<DecodedRow> {
    private static final long serialVersionUID = 1L;

    private static final char BYTE_ORDER_MARK = '\uFEFF';
    private static final char NOT_DECODED = '\uFFFD'; // what the decoder puts for bad bytes

    private final String sourceName;
    private final RowDecoder decoder;

    public SpecCsvFormat(String sourceName, RowDecoder decoder) {
        this.sourceName = sourceName;
        this.decoder = decoder;
    }

    @Override
    public Reader<DecodedRow> createReader(
            Configuration config, FSDataInputStream stream, long fileLen, long splitEnd)
            throws IOException {
        return open(stream);
    }

    /** A reader over {@code in}, outside Flink too (tools, tests). */
    public Reader<DecodedRow> open(InputStream in) throws IOException {
        // Jackson's own UTF-8 reader fails the file at the first bad byte; a decoder that marks
        // them (U+FFFD) lets the row that holds them be rejected with its line
        CharsetDecoder utf8 =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE);
        java.io.Reader text = new BufferedReader(new InputStreamReader(in, utf8), 1 << 16);
        text.mark(1);
        if (text.read() != BYTE_ORDER_MARK) {
            text.reset();
        }
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        MappingIterator<String[]> rows =
                mapper.readerFor(String[].class).with(CsvSchema.emptySchema()).readValues(text);
        String[] header;
        try {
            if (!rows.hasNextValue()) {
                rows.close();
                throw new BadInputException(sourceName + ":1: empty file, expected a header");
            }
            header = rows.nextValue();
        } catch (JsonProcessingException e) {
            rows.close();
            throw new BadInputException(
                    sourceName + ":1: not valid CSV: " + e.getOriginalMessage(), e);
        }
        for (String h : header) {
            if (h.indexOf(NOT_DECODED) >= 0) {
                rows.close();
                throw new BadInputException(
                        sourceName
                                + ":1: the header is not valid UTF-8 text: "
                                + Csv.singleLine(Csv.field(Csv.shortened(h, 60))));
            }
        }
        int[] columnOf = mapHeader(header);
        return new RowReader(rows, columnOf, header.length);
    }

    /** For each decoder field, its column in {@code header}; fails naming what does not match. */
    int[] mapHeader(String[] header) throws IOException {
        String problem = checkHeader(header, decoder);
        if (problem != null) {
            // a quoted header name may hold a line break: the message stays one line
            throw new BadInputException(sourceName + ":1: " + Csv.singleLine(problem));
        }
        List<String> cols = Arrays.asList(header);
        int[] columnOf = new int[decoder.width()];
        for (int f = 0; f < columnOf.length; f++) {
            columnOf[f] = cols.indexOf(decoder.field(f));
        }
        return columnOf;
    }

    /** What is wrong with a CSV header for {@code decoder}, or null when it fits. */
    public static String checkHeader(String[] header, RowDecoder decoder) {
        Set<String> expected = new LinkedHashSet<>(Arrays.asList(decoder.fields()));
        Set<String> seen = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        List<String> duplicate = new ArrayList<>();
        for (String h : header) {
            if (!seen.add(h)) {
                duplicate.add(h);
            } else if (!expected.contains(h)) {
                unknown.add(Csv.shortened(h, 60));
            }
        }
        List<String> missing = new ArrayList<>();
        for (String f : expected) {
            if (!seen.contains(f)) {
                missing.add(f);
            }
        }
        if (missing.isEmpty() && unknown.isEmpty() && duplicate.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        if (!missing.isEmpty()) {
            parts.add("missing column(s) " + String.join(", ", missing));
        }
        if (!unknown.isEmpty()) {
            parts.add("unknown column(s) " + String.join(", ", unknown));
        }
        if (!duplicate.isEmpty()) {
            parts.add("duplicate column(s) " + String.join(", ", duplicate));
        }
        return "header does not match the "
                + decoder.describe()
                + " of spec "
                + decoder.plan().name()
                + " ("
                + String.join(", ", expected)
                + "): "
                + String.join("; ", parts);
    }

    @Override
    public Reader<DecodedRow> restoreReader(
            Configuration config,
            FSDataInputStream stream,
            long restoredOffset,
            long fileLen,
            long splitEnd)
            throws IOException {
        // The reader reports no offset, so recovery restarts the file and skips records.
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

    private final class RowReader implements Reader<DecodedRow> {
        private final MappingIterator<String[]> rows;
        private final int[] columnOf;
        private final int columns;

        RowReader(MappingIterator<String[]> rows, int[] columnOf, int columns) {
            this.rows = rows;
            this.columnOf = columnOf;
            this.columns = columns;
        }

        @Override
        public DecodedRow read() throws IOException {
            long line;
            String[] cells;
            do { // skipping blank lines in a loop: a run of them must not overflow the stack
                line = rows.getParser().currentLocation().getLineNr();
                try {
                    if (!rows.hasNextValue()) {
                        return null;
                    }
                    cells = rows.nextValue();
                } catch (JsonProcessingException e) {
                    // a broken quote cannot be skipped reliably: the rest of the file is suspect
                    throw new BadInputException(
                            sourceName + ":" + line + ": not valid CSV: " + e.getOriginalMessage(),
                            e);
                }
            } while (cells.length == 1 && cells[0].isEmpty() && columns > 1);
            if (cells.length != columns) {
                return DecodedRow.rejected(
                        sourceName,
                        line,
                        "expected " + columns + " fields, got " + cells.length,
                        raw(cells));
            }
            Object[] values = new Object[columnOf.length];
            for (int f = 0; f < values.length; f++) {
                String cell = cells[columnOf[f]];
                if (cell.indexOf(NOT_DECODED) >= 0) {
                    return DecodedRow.rejected(
                            sourceName,
                            line,
                            "field '" + decoder.field(f) + "': not valid UTF-8 text",
                            raw(cells));
                }
                try {
                    values[f] = FieldValues.parse(decoder.type(f), cell);
                } catch (IllegalArgumentException e) {
                    return DecodedRow.rejected(
                            sourceName,
                            line,
                            "field '" + decoder.field(f) + "': " + e.getMessage(),
                            raw(cells));
                }
            }
            try {
                return DecodedRow.ok(sourceName, line, decoder.decode(values));
            } catch (IllegalArgumentException e) {
                return DecodedRow.rejected(sourceName, line, e.getMessage(), raw(cells));
            }
        }

        @Override
        public void close() throws IOException {
            rows.close();
        }
    }

    /** The row re-joined as CSV, for the rejected file. */
    static String raw(String[] cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(Csv.field(cells[i]));
        }
        return sb.toString();
    }
}
