package dev.parity.features.io;

import dev.parity.features.events.FlightRow;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The CSV form of the flights data: header {@code id,date,delay,distance,origin,destination},
 * {@code date} an ISO-8601 instant ({@code 2001-01-01T00:01:00Z}, milliseconds allowed).
 *
 * <p>Parsing never throws for bad data: every problem becomes a {@link RowResult#rejected} with a
 * reason that names the field.
 */
public final class FlightCsv {
    public static final String HEADER = "id,date,delay,distance,origin,destination";
    private static final String[] COLUMNS = HEADER.split(",");

    private FlightCsv() {}

    /** Checks the header line; returns null when it is right, else the reason. */
    public static String checkHeader(String line) {
        String h = line == null ? "" : stripBom(line).trim();
        return HEADER.equals(h) ? null : "expected header '" + HEADER + "', got '" + h + "'";
    }

    /** Parses one data line; {@code line} is its 1-based line number in {@code source}. */
    public static RowResult parse(String source, long line, String text) {
        String[] f = text.split(",", -1);
        if (f.length != COLUMNS.length) {
            return RowResult.rejected(
                    source, line, "expected " + COLUMNS.length + " fields, got " + f.length, text);
        }
        for (int i = 0; i < f.length; i++) {
            f[i] = f[i].trim();
            if (f[i].isEmpty()) {
                return RowResult.rejected(source, line, "missing field '" + COLUMNS[i] + "'", text);
            }
        }
        try {
            long id = parseLong(f[0], "id");
            long dep = parseInstant(f[1]);
            long delay = parseLong(f[2], "delay");
            long distance = parseLong(f[3], "distance");
            FlightRow row = new FlightRow(id, dep, delay, distance, f[4], f[5]);
            String problem = validate(row);
            return problem == null
                    ? RowResult.ok(source, line, row)
                    : RowResult.rejected(source, line, problem, text);
        } catch (IllegalArgumentException e) {
            return RowResult.rejected(source, line, e.getMessage(), text);
        }
    }

    /** Semantic checks shared by the CSV and Parquet readers; null when the row is valid. */
    public static String validate(FlightRow row) {
        if (row.id < 0) {
            return "field 'id' must not be negative, got " + row.id;
        }
        if (row.distance < 0) {
            return "field 'distance' must not be negative, got " + row.distance;
        }
        if (row.origin == null || row.origin.isBlank()) {
            return "missing field 'origin'";
        }
        if (row.dest == null || row.dest.isBlank()) {
            return "missing field 'destination'";
        }
        if (row.origin.indexOf(',') >= 0 || row.dest.indexOf(',') >= 0) {
            return "airport codes must not contain ','";
        }
        return null;
    }

    /** Formats a row in this CSV form (used to write samples). */
    public static String format(FlightRow row) {
        return row.id
                + ","
                + Instant.ofEpochMilli(row.depTime)
                + ","
                + row.delay
                + ","
                + row.distance
                + ","
                + row.origin
                + ","
                + row.dest;
    }

    private static long parseLong(String s, String field) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "field '" + field + "' is not an integer: '" + s + "'");
        }
    }

    private static long parseInstant(String s) {
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(
                    "field 'date' is not an ISO-8601 instant (like 2001-01-01T00:01:00Z): '"
                            + s
                            + "'");
        }
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
