package dev.parity.features.api;

/** How the events of a window are reduced to one value. */
public enum Aggregation {
    /** Number of events in the window; exact, never null. */
    COUNT,
    /** Mean of the events' delay in minutes: {@code (double) sum / count}. */
    MEAN_DELAY;

    /** Whether this aggregation reads the delay field, which only arrival events carry. */
    public boolean needsDelay() {
        return this == MEAN_DELAY;
    }
}
