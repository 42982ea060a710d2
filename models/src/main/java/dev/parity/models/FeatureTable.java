package dev.parity.models;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;

/**
 * A training file ({@code features.csv} of a backfill) loaded into flat float arrays: the chosen
 * feature columns (NaN where the feature is null), the label and each row's split, so training,
 * compression and evaluation can split by time without re-reading text.
 *
 * <p>Two layouts: the built-in flights file ({@link #load(Path, List)}: label {@code delay}, time
 * {@code dep_time}, train on January to April 2001, validate on May, report on June), and any
 * spec's file ({@link #load(Path, List, String, String, TimeSplit)}: label and time columns named
 * by the spec, split at two instants given or derived from the data).
 *
 * <p>Rows without a label are skipped and counted in {@link #unlabelled()}. Any other unparsable
 * value is an error that names the file, line and column.
 */
public final class FeatureTable {
    /** Which part of the time-ordered data a row belongs to. */
    public enum Split {
        TRAIN,
        VALIDATION,
        REPORT;

        /** The split of a UTC month (1-12) of 2001, for the built-in flights file. */
        public static Split ofMonth(int month) {
            if (month <= 4) {
                return TRAIN;
            }
            return month == 5 ? VALIDATION : REPORT;
        }
    }

    /**
     * Where validation and report data start: rows before {@code validationFrom} train, rows from
     * {@code reportFrom} on are reported on. Either may be null, to be derived from the data: the
     * instants below which 70 % and 85 % of the labelled rows fall.
     */
    public static final class TimeSplit {
        final Instant validationFrom;
        final Instant reportFrom;

        public TimeSplit(Instant validationFrom, Instant reportFrom) {
            if (validationFrom != null
                    && reportFrom != null
                    && reportFrom.isBefore(validationFrom)) {
                throw new IllegalArgumentException(
                        "the report split (from "
                                + reportFrom
                                + ") must not start before the validation split (from "
                                + validationFrom
                                + ")");
            }
            this.validationFrom = validationFrom;
            this.reportFrom = reportFrom;
        }

        /** Both instants derived from the data. */
        public static TimeSplit derived() {
            return new TimeSplit(null, null);
        }
    }

    private final List<String> columns;
    private final int rows;
    private final float[] x; // row-major, rows * columns.size()
    private final float[] y;
    private final long[] ids;
    private final byte[] splits;
    private final long unlabelled;
    private final Instant validationFrom;
    private final Instant reportFrom;

    private FeatureTable(
            List<String> columns,
            int rows,
            float[] x,
            float[] y,
            long[] ids,
            byte[] splits,
            long unlabelled,
            Instant validationFrom,
            Instant reportFrom) {
        this.columns = List.copyOf(columns);
        this.rows = rows;
        this.x = x;
        this.y = y;
        this.ids = ids;
        this.splits = splits;
        this.unlabelled = unlabelled;
        this.validationFrom = validationFrom;
        this.reportFrom = reportFrom;
    }

    /**
     * Reads {@code columns} (in this order), {@code id}, {@code dep_time} and {@code delay} from
     * the built-in flights features CSV, split by the months of 2001.
     */
    public static FeatureTable load(Path csv, List<String> columns) throws IOException {
        Raw raw = Raw.read(csv, columns, "dep_time", "delay", false);
        byte[] splits = new byte[raw.n];
        for (int i = 0; i < raw.n; i++) {
            int month = Instant.ofEpochMilli(raw.times[i]).atZone(ZoneOffset.UTC).getMonthValue();
            splits[i] = (byte) Split.ofMonth(month).ordinal();
        }
        return raw.table(
                columns,
                splits,
                Instant.parse("2001-05-01T00:00:00Z"),
                Instant.parse("2001-06-01T00:00:00Z"));
    }

    /**
     * Reads {@code columns}, {@code id}, the timestamp column {@code timeColumn} and the label
     * {@code labelColumn} (a number, or {@code true}/{@code false} as 1/0) from any spec's feature
     * file (RFC 4180 CSV), split by time at {@code split}'s instants.
     */
    public static FeatureTable load(
            Path csv, List<String> columns, String timeColumn, String labelColumn, TimeSplit split)
            throws IOException {
        Raw raw = Raw.read(csv, columns, timeColumn, labelColumn, true);
        if (raw.n == 0) {
            throw new IllegalArgumentException(csv + ": no labelled rows");
        }
        Instant validationFrom = split.validationFrom;
        Instant reportFrom = split.reportFrom;
        if (validationFrom == null || reportFrom == null) {
            long[] sorted = Arrays.copyOf(raw.times, raw.n);
            Arrays.sort(sorted);
            if (validationFrom == null) {
                validationFrom = Instant.ofEpochMilli(sorted[(int) (raw.n * 0.70)]);
            }
            if (reportFrom == null) {
                Instant q = Instant.ofEpochMilli(sorted[Math.min(raw.n - 1, (int) (raw.n * 0.85))]);
                reportFrom = q.isBefore(validationFrom) ? validationFrom : q;
            }
        }
        long v = validationFrom.toEpochMilli();
        long r = reportFrom.toEpochMilli();
        byte[] splits = new byte[raw.n];
        for (int i = 0; i < raw.n; i++) {
            long t = raw.times[i];
            Split s = t < v ? Split.TRAIN : t < r ? Split.VALIDATION : Split.REPORT;
            splits[i] = (byte) s.ordinal();
        }
        return raw.table(columns, splits, validationFrom, reportFrom);
    }

    /** The file's rows before splitting. */
    private static final class Raw {
        int n;
        float[] x;
        float[] y;
        long[] ids;
        long[] times;
        long unlabelled;

        FeatureTable table(
                List<String> columns, byte[] splits, Instant validationFrom, Instant reportFrom) {
            int d = columns.size();
            return new FeatureTable(
                    columns,
                    n,
                    Arrays.copyOf(x, n * d),
                    Arrays.copyOf(y, n),
                    Arrays.copyOf(ids, n),
                    splits,
                    unlabelled,
                    validationFrom,
                    reportFrom);
        }

        /**
         * @param quoted RFC 4180 fields (a spec's strings may hold commas); the flights file has
         *     none and is split on commas, which is faster on millions of rows
         */
        static Raw read(
                Path csv, List<String> columns, String timeName, String labelName, boolean quoted)
                throws IOException {
            int d = columns.size();
            int capacity = 1 << 16;
            Raw raw = new Raw();
            raw.x = new float[capacity * d];
            raw.y = new float[capacity];
            raw.ids = new long[capacity];
            raw.times = new long[capacity];
            try (CsvLines in = new CsvLines(csv, quoted)) {
                String[] header = in.next();
                if (header == null) {
                    throw new IllegalArgumentException(csv + ": empty file");
                }
                List<String> names = Arrays.asList(header);
                int[] idx = new int[d];
                for (int j = 0; j < d; j++) {
                    idx[j] = column(csv, names, columns.get(j));
                }
                int idCol = column(csv, names, "id");
                int timeCol = column(csv, names, timeName);
                int labelCol = column(csv, names, labelName);
                String[] f;
                while ((f = in.next()) != null) {
                    long lineNo = in.line();
                    if (f.length != names.size()) {
                        throw new IllegalArgumentException(
                                csv
                                        + ":"
                                        + lineNo
                                        + ": "
                                        + f.length
                                        + " fields, the header has "
                                        + names.size());
                    }
                    if (f[labelCol].isEmpty()) {
                        raw.unlabelled++;
                        continue;
                    }
                    int n = raw.n;
                    if (n == raw.y.length) {
                        int grown = raw.y.length * 2;
                        raw.x = Arrays.copyOf(raw.x, grown * d);
                        raw.y = Arrays.copyOf(raw.y, grown);
                        raw.ids = Arrays.copyOf(raw.ids, grown);
                        raw.times = Arrays.copyOf(raw.times, grown);
                    }
                    for (int j = 0; j < d; j++) {
                        String v = f[idx[j]];
                        raw.x[n * d + j] =
                                v.isEmpty() ? Float.NaN : parse(csv, lineNo, columns.get(j), v);
                    }
                    raw.y[n] = parse(csv, lineNo, labelName, f[labelCol]);
                    try {
                        raw.ids[n] = Long.parseLong(f[idCol]);
                        raw.times[n] = Instant.parse(f[timeCol]).toEpochMilli();
                    } catch (NumberFormatException | DateTimeParseException e) {
                        throw new IllegalArgumentException(
                                csv
                                        + ":"
                                        + lineNo
                                        + ": bad id or "
                                        + timeName
                                        + ": "
                                        + e.getMessage(),
                                e);
                    }
                    raw.n++;
                }
            }
            return raw;
        }
    }

    /** Lines of a CSV file as fields: split on commas, or parsed per RFC 4180. */
    static final class CsvLines implements AutoCloseable {
        private final BufferedReader plain;
        private final MappingIterator<String[]> rfc;
        private long line;

        CsvLines(Path csv, boolean quoted) throws IOException {
            if (quoted) {
                CsvMapper mapper = new CsvMapper();
                mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
                this.rfc =
                        mapper.readerFor(String[].class)
                                .with(CsvSchema.emptySchema())
                                .readValues(csv.toFile());
                this.plain = null;
            } else {
                this.plain = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
                this.rfc = null;
            }
        }

        String[] next() throws IOException {
            if (plain != null) {
                line++;
                String s = plain.readLine();
                return s == null ? null : s.split(",", -1);
            }
            line = rfc.getParser().currentLocation().getLineNr();
            return rfc.hasNextValue() ? rfc.nextValue() : null;
        }

        long line() {
            return line;
        }

        @Override
        public void close() throws IOException {
            if (plain != null) {
                plain.close();
            } else {
                rfc.close();
            }
        }
    }

    private static int column(Path csv, List<String> names, String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(csv + ":1: missing column '" + name + "'");
        }
        return i;
    }

    private static float parse(Path csv, long line, String column, String v) {
        if (v.equals("true") || v.equals("false")) {
            return v.equals("true") ? 1f : 0f;
        }
        try {
            float f = Float.parseFloat(v);
            if (!Float.isFinite(f)) {
                throw new NumberFormatException("not finite");
            }
            return f;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    csv + ":" + line + ": column '" + column + "': bad number '" + v + "'", e);
        }
    }

    public List<String> columns() {
        return columns;
    }

    public int rows() {
        return rows;
    }

    /** Rows skipped because they had no label. */
    public long unlabelled() {
        return unlabelled;
    }

    /** Feature {@code j} of row {@code i}; NaN when the feature was null. */
    public float feature(int i, int j) {
        return x[i * columns.size() + j];
    }

    public float label(int i) {
        return y[i];
    }

    public long id(int i) {
        return ids[i];
    }

    public Split split(int i) {
        return Split.values()[splits[i]];
    }

    /** The first instant of the validation split. */
    public Instant validationFrom() {
        return validationFrom;
    }

    /** The first instant of the report split. */
    public Instant reportFrom() {
        return reportFrom;
    }

    /** Indices of the rows in {@code split}, in file order. */
    public int[] rowsOf(Split split) {
        int count = 0;
        for (int i = 0; i < rows; i++) {
            if (split(i) == split) {
                count++;
            }
        }
        int[] out = new int[count];
        int k = 0;
        for (int i = 0; i < rows; i++) {
            if (split(i) == split) {
                out[k++] = i;
            }
        }
        return out;
    }

    /**
     * Copies the features of {@code rowIndices} into a new row-major array ({@code
     * rowIndices.length * columns().size()}), NaN kept.
     */
    public float[] features(int[] rowIndices) {
        int d = columns.size();
        float[] out = new float[rowIndices.length * d];
        for (int k = 0; k < rowIndices.length; k++) {
            System.arraycopy(x, rowIndices[k] * d, out, k * d, d);
        }
        return out;
    }

    /** The labels of {@code rowIndices}. */
    public float[] labels(int[] rowIndices) {
        float[] out = new float[rowIndices.length];
        for (int k = 0; k < rowIndices.length; k++) {
            out[k] = y[rowIndices[k]];
        }
        return out;
    }
}
