package dev.parity.models.flink;

/** A feature vector the scoring operator could not score, with the reason. A Flink POJO. */
public class UnscorableRecord {
    public long id;
    public String reason;

    public UnscorableRecord() {}

    public UnscorableRecord(long id, String reason) {
        this.id = id;
        this.reason = reason;
    }

    @Override
    public String toString() {
        return "UnscorableRecord{id=" + id + ", reason=" + reason + "}";
    }
}
