package dev.parity.features.engine;

/** The join's state for one query id: the parts received so far and the row being filled. */
final class PendingRow {
    int received;
    long deadline;
    boolean reported;
    long time;
    Object[] values;

    PendingRow() {}

    PendingRow(int received, long deadline, boolean reported, long time, Object[] values) {
        this.received = received;
        this.deadline = deadline;
        this.reported = reported;
        this.time = time;
        this.values = values;
    }
}
