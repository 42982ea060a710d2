package dev.parity.features.engine;

/**
 * One part of a query's output row, keyed by the query id for the join: a group's feature values
 * (in group slot order), the query's context, its label, or the news that the query event itself
 * was late.
 */
public final class VectorPart {
    public static final int CONTEXT = -1;
    public static final int LABEL = -2;
    public static final int LATE = -3;

    public final long id;

    /** A group index (its features), or {@link #CONTEXT}, {@link #LABEL}, {@link #LATE}. */
    public final int part;

    /** The query time (the label's event time for a label). */
    public final long time;

    /** The router's watermark, for {@link #LATE}; else 0. */
    public final long watermark;

    public final Object[] values;

    public VectorPart(long id, int part, long time, long watermark, Object[] values) {
        this.id = id;
        this.part = part;
        this.time = time;
        this.watermark = watermark;
        this.values = values;
    }
}
