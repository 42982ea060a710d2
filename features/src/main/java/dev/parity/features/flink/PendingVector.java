package dev.parity.features.flink;

import dev.parity.features.core.FeatureVector;

/** A feature vector being assembled by the join, with the parts received so far. A Flink POJO. */
public class PendingVector {
    public FeatureVector vector;

    /** Bit {@code g} for group {@code g}, then context, then label. */
    public int received;

    /** Already reported incomplete; later parts are absorbed until the deadline. */
    public boolean reported;

    /** The cleanup timer registered for this flight. */
    public long deadline;

    public PendingVector() {}
}
