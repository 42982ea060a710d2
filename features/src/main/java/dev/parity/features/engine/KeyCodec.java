package dev.parity.features.engine;

/**
 * Encodes key values into an operator key, one-to-one: a type letter per value, strings with their
 * length ({@code s5:a,b|c}), so no separator inside a value can make two keys collide.
 */
final class KeyCodec {
    private KeyCodec() {}

    static void append(StringBuilder sb, Object v) {
        if (v instanceof String) {
            String s = (String) v;
            sb.append('s').append(s.length()).append(':').append(s);
        } else if (v instanceof Long) {
            sb.append('l').append((long) (Long) v).append(';');
        } else if (v instanceof Double) {
            sb.append('d')
                    .append(Long.toHexString(Double.doubleToLongBits((Double) v)))
                    .append(';');
        } else if (v instanceof Boolean) {
            sb.append((Boolean) v ? "T;" : "F;");
        } else {
            throw new IllegalArgumentException("not a key value: " + v.getClass().getName());
        }
    }

    /** The group index of an operator key. */
    static int groupOf(String key) {
        int bar = key.indexOf('|');
        if (bar <= 0) {
            throw new IllegalStateException("not a feature-group key: '" + key + "'");
        }
        return Integer.parseInt(key, 0, bar, 10);
    }
}
