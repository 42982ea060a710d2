package dev.parity.features.engine;

import dev.parity.features.spec.FieldType;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The one validation of a field's value, shared by every reader (CSV text, Parquet, Kafka JSON):
 * each reader turns its form into the engine's Java value with one of these methods, so a value a
 * file reader rejects is rejected on Kafka too, with the same message.
 *
 * <ul>
 *   <li>{@code string}: any text without a line break (feature files hold one row per line).
 *   <li>{@code long}: a decimal 64-bit integer, no sign but {@code -}, no fraction.
 *   <li>{@code double}: a finite decimal number (no NaN or infinity: they would poison every sum
 *       and mean they enter).
 *   <li>{@code boolean}: {@code true} or {@code false}.
 *   <li>{@code timestamp}: an ISO-8601 instant ({@code 2001-01-01T00:01:00Z}, fractions down to the
 *       millisecond) or epoch milliseconds.
 * </ul>
 */
public final class FieldValues {
    private FieldValues() {}

    /**
     * The value of {@code text} as {@code type}; null for null or an empty string.
     *
     * @throws IllegalArgumentException saying what is wrong with the value (the caller names the
     *     file, line and field)
     */
    public static Object parse(FieldType type, String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        switch (type) {
            case STRING:
                return checkString(text);
            case LONG:
                return parseLong(text, "a whole number");
            case DOUBLE:
                return checkDouble(parseDouble(text));
            case BOOLEAN:
                if (text.equals("true")) {
                    return Boolean.TRUE;
                }
                if (text.equals("false")) {
                    return Boolean.FALSE;
                }
                throw new IllegalArgumentException("expected true or false, got " + quote(text));
            case TIMESTAMP:
                return parseTimestamp(text);
            default:
                throw new AssertionError(type);
        }
    }

    /**
     * Checks a value a typed reader (Parquet, JSON) produced: a {@link Long} for long and
     * timestamp, a {@link Double} (finite) or a whole-number {@link Long} for double, and so on.
     * Returns the value in the engine's form.
     */
    public static Object check(FieldType type, Object value) {
        if (value == null) {
            return null;
        }
        switch (type) {
            case STRING:
                if (value instanceof CharSequence) {
                    return checkString(value.toString());
                }
                break;
            case LONG:
                if (value instanceof Long || value instanceof Integer) {
                    return ((Number) value).longValue();
                }
                break;
            case DOUBLE:
                if (value instanceof Double || value instanceof Float) {
                    return checkDouble(((Number) value).doubleValue());
                }
                if (value instanceof Long || value instanceof Integer) {
                    return (double) ((Number) value).longValue();
                }
                break;
            case BOOLEAN:
                if (value instanceof Boolean) {
                    return value;
                }
                break;
            case TIMESTAMP:
                if (value instanceof Long || value instanceof Integer) {
                    return ((Number) value).longValue();
                }
                if (value instanceof CharSequence) {
                    return parseTimestamp(value.toString());
                }
                break;
            default:
                throw new AssertionError(type);
        }
        throw new IllegalArgumentException(
                "expected a " + type.specName() + ", got " + describe(value));
    }

    private static String checkString(String s) {
        if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("line breaks are not allowed in a string value");
        }
        return s;
    }

    private static long parseLong(String text, String what) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected " + what + ", got " + quote(text));
        }
    }

    private static double parseDouble(String text) {
        char last = text.charAt(text.length() - 1);
        // Java also reads "1d", "0x1p3" and " 1": a file with those is more likely broken
        if (!(Character.isDigit(last) || last == '.')
                || text.startsWith("0x")
                || text.startsWith("-0x")
                || Character.isWhitespace(text.charAt(0))) {
            throw new IllegalArgumentException("expected a decimal number, got " + quote(text));
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a decimal number, got " + quote(text));
        }
    }

    private static double checkDouble(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("expected a finite number, got " + v);
        }
        return v;
    }

    private static long parseTimestamp(String text) {
        if (isInteger(text)) {
            return parseLong(text, "an ISO-8601 instant or epoch milliseconds");
        }
        Instant t;
        try {
            t = Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "expected an ISO-8601 instant like 2001-01-01T00:01:00Z or epoch milliseconds,"
                            + " got "
                            + quote(text));
        }
        if (t.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException(
                    "timestamps have millisecond precision, got " + quote(text));
        }
        try {
            return t.toEpochMilli();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("timestamp out of range: " + quote(text));
        }
    }

    private static boolean isInteger(String text) {
        int start = text.charAt(0) == '-' ? 1 : 0;
        if (start == text.length()) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static String quote(String text) {
        String t = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        return "'" + t + "'";
    }

    private static String describe(Object value) {
        return value.getClass().getSimpleName() + " " + quote(String.valueOf(value));
    }
}
