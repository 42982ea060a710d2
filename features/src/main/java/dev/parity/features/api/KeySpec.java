package dev.parity.features.api;

/**
 * The entity a feature is aggregated over. Every event carries both airports, so each key can be
 * derived from either event type.
 */
public enum KeySpec {
    ORIGIN("origin"),
    DEST("dest"),
    ROUTE("route");

    private final String label;

    KeySpec(String label) {
        this.label = label;
    }

    /** Lower-case name used in feature-set descriptions and fingerprints. */
    public String label() {
        return label;
    }

    /** The key value of this spec for a flight between {@code origin} and {@code dest}. */
    public String keyOf(String origin, String dest) {
        switch (this) {
            case ORIGIN:
                return origin;
            case DEST:
                return dest;
            case ROUTE:
                return origin + ">" + dest;
            default:
                throw new IllegalStateException("unknown key spec " + this);
        }
    }
}
