package dev.parity.features.engine;

/**
 * A flight whose vector never completed within the join timeout (usually because one of its events
 * was late), with what was missing. Reported, never dropped silently.
 */
public class IncompleteVector {
    public long id;
    public String missing;

    public IncompleteVector() {}

    public IncompleteVector(long id, String missing) {
        this.id = id;
        this.missing = missing;
    }

    @Override
    public String toString() {
        return "IncompleteVector{id=" + id + ", missing=" + missing + "}";
    }
}
