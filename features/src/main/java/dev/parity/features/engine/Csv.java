package dev.parity.features.engine;

/** RFC 4180 quoting of one output field. */
public final class Csv {
    private Csv() {}

    /** {@code s} as a CSV field: quoted when it holds a comma, a quote or a line break. */
    public static String field(String s) {
        if (s == null) {
            return "";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                return '"' + s.replace("\"", "\"\"") + '"';
            }
        }
        return s;
    }

    /**
     * {@code s} with its line breaks written as {@code \n} and {@code \r}: for report fields that
     * quote input as it was (a rejected row's raw text), so that each record stays one line.
     */
    public static String singleLine(String s) {
        return s == null ? null : s.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** {@code s} cut to {@code max} characters, with {@code ...}: input quoted in a message. */
    public static String shortened(String s, int max) {
        return s.length() > max ? s.substring(0, max) + "..." : s;
    }
}
