package dev.parity.features.engine;

/**
 * The join's state for one query id over one generation (see {@link JoinFunction}): the parts of
 * the earliest query event and of the earliest label event received so far, how many events of each
 * came at that time, and, once the row is out, a small tombstone that still recognises duplicates.
 */
final class PendingRow {
    static final long NONE = Long.MAX_VALUE;

    static final int QUERY_CONFLICT = 1;
    static final int LABEL_CONFLICT = 2;
    static final int EMITTED = 4;
    static final int LATE_SEEN = 8;

    /** The earliest part time of this generation; {@code start + timeout} is the deadline. */
    long start;

    long deadline;

    /** Parts before this time belong to an earlier generation of the id (Long.MIN_VALUE: none). */
    long retiredUntil = Long.MIN_VALUE;

    /** The event-time timer that emits the row once complete, or {@link #NONE}. */
    long emitAt = NONE;

    /** The earliest query event's time, or {@link #NONE}. */
    long queryTime = NONE;

    /** Query events (context parts) at {@link #queryTime}. */
    int queryCount;

    /** The earliest label event's time (a label of another kind than the query), or NONE. */
    long labelTime = NONE;

    int labelCount;

    /** Which parts of the row are filled: one bit per group, the context, the label. */
    int received;

    int flags;

    /** The row being filled; empty once it has been emitted. */
    Object[] values;

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    void set(int flag) {
        flags |= flag;
    }
}
