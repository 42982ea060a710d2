package dev.parity.features.api;

/** Features read from the flight itself at departure time: no window, no state. */
public enum ContextFeature {
    DISTANCE("distance"),
    DEP_HOUR("dep_hour"),
    DEP_DOW("dep_dow");

    private final String column;

    ContextFeature(String column) {
        this.column = column;
    }

    public String column() {
        return column;
    }
}
