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
}
