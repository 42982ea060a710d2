package dev.parity.models;

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
 * feature columns (NaN where the feature is null), the label ({@code delay}) and the month of the
 * departure, so training, compression and evaluation can split by time without re-reading text.
 *
 * <p>Rows without a label (cancelled or diverted flights) are skipped and counted in {@link
 * #unlabelled()}. Any other unparsable value is an error that names the file, line and column.
 */
public final class FeatureTable {
    /** Time split of DESIGN section 6: train on Jan-Apr, validate on May, report on June. */
    public enum Split {
        TRAIN,
        VALIDATION,
        REPORT;

        /** The split of a UTC month (1-12) of 2001. */
        public static Split ofMonth(int month) {
            if (month <= 4) {
                return TRAIN;
            }
            return month == 5 ? VALIDATION : REPORT;
        }
    }

    private final List<String> columns;
    private final int rows;
    private final float[] x; // row-major, rows * columns.size()
    private final float[] y;
    private final long[] ids;
    private final byte[] months;
    private final long unlabelled;

    private FeatureTable(
            List<String> columns,
            int rows,
            float[] x,
            float[] y,
            long[] ids,
            byte[] months,
            long unlabelled) {
        this.columns = List.copyOf(columns);
        this.rows = rows;
        this.x = x;
        this.y = y;
        this.ids = ids;
        this.months = months;
        this.unlabelled = unlabelled;
    }

    /**
     * Reads {@code columns} (in this order), {@code id}, {@code dep_time} and {@code delay} from a
     * features CSV.
     */
    public static FeatureTable load(Path csv, List<String> columns) throws IOException {
        int d = columns.size();
        int capacity = 1 << 16;
        float[] x = new float[capacity * d];
        float[] y = new float[capacity];
        long[] ids = new long[capacity];
        byte[] months = new byte[capacity];
        int n = 0;
        long unlabelled = 0;
        try (BufferedReader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null) {
                throw new IllegalArgumentException(csv + ": empty file");
            }
            List<String> names = Arrays.asList(header.split(",", -1));
            int[] idx = new int[d];
            for (int j = 0; j < d; j++) {
                idx[j] = column(csv, names, columns.get(j));
            }
            int idCol = column(csv, names, "id");
            int timeCol = column(csv, names, "dep_time");
            int labelCol = column(csv, names, "delay");
            String line;
            long lineNo = 1;
            while ((line = in.readLine()) != null) {
                lineNo++;
                String[] f = line.split(",", -1);
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
                    unlabelled++;
                    continue;
                }
                if (n == y.length) {
                    int grown = y.length * 2;
                    x = Arrays.copyOf(x, grown * d);
                    y = Arrays.copyOf(y, grown);
                    ids = Arrays.copyOf(ids, grown);
                    months = Arrays.copyOf(months, grown);
                }
                for (int j = 0; j < d; j++) {
                    String v = f[idx[j]];
                    x[n * d + j] = v.isEmpty() ? Float.NaN : parse(csv, lineNo, columns.get(j), v);
                }
                y[n] = parse(csv, lineNo, "delay", f[labelCol]);
                try {
                    ids[n] = Long.parseLong(f[idCol]);
                    months[n] =
                            (byte) Instant.parse(f[timeCol]).atZone(ZoneOffset.UTC).getMonthValue();
                } catch (NumberFormatException | DateTimeParseException e) {
                    throw new IllegalArgumentException(
                            csv + ":" + lineNo + ": bad id or dep_time: " + e.getMessage(), e);
                }
                n++;
            }
        }
        return new FeatureTable(
                columns,
                n,
                Arrays.copyOf(x, n * d),
                Arrays.copyOf(y, n),
                Arrays.copyOf(ids, n),
                Arrays.copyOf(months, n),
                unlabelled);
    }

    private static int column(Path csv, List<String> names, String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(csv + ":1: missing column '" + name + "'");
        }
        return i;
    }

    private static float parse(Path csv, long line, String column, String v) {
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

    /** UTC month (1-12) of row {@code i}'s departure. */
    public int month(int i) {
        return months[i];
    }

    public Split split(int i) {
        return Split.ofMonth(months[i]);
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
