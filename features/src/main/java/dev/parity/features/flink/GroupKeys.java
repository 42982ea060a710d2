package dev.parity.features.flink;

/** Keys of the feature-group operator: the group index, a bar, and the entity's key value. */
final class GroupKeys {
    private GroupKeys() {}

    static String of(int group, String value) {
        return group + "|" + value;
    }

    static int groupOf(String key) {
        int bar = key.indexOf('|');
        if (bar <= 0) {
            throw new IllegalStateException("not a feature-group key: '" + key + "'");
        }
        return Integer.parseInt(key, 0, bar, 10);
    }
}
