package dev.parity.jobs.backfill;

import dev.parity.features.engine.Csv;
import dev.parity.features.engine.LinePartSink;
import dev.parity.models.flink.Prediction;
import dev.parity.models.flink.ScoringOperator;
import dev.parity.models.flink.UnscorableRecord;
import java.time.Instant;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The backfill's output files: the part-file names its sinks write under the parts directory, the
 * headers {@link BackfillCommand} gives the merged files, and the line formats of {@code
 * rejected.csv}, {@code late.csv} and the prediction files (docs/SPEC.md, Output).
 */
final class BackfillOutputs {
    private BackfillOutputs() {}

    /** Part-file names under the parts directory. */
    static final String FEATURES = "features";

    static final String REJECTED = "rejected";
    static final String LATE = "late";
    static final String INCOMPLETE = "incomplete";
    static final String PREDICTIONS = "predictions";
    static final String UNSCORABLE = "unscorable";
    static final String SHADOW = "shadow_predictions";

    /** Writes the predictions, the shadow model's, and the unscorable records as part files. */
    static void writePredictions(SingleOutputStreamOperator<Prediction> predictions, String dir) {
        predictions
                .sinkTo(new LinePartSink<Prediction>(dir, PREDICTIONS, Prediction::toCsv))
                .name("write-predictions")
                .uid("write-predictions");
        predictions
                .filter(p -> p.shadowModel != null)
                .name("shadowed")
                .sinkTo(new LinePartSink<Prediction>(dir, SHADOW, Prediction::shadowCsv))
                .name("write-shadow-predictions")
                .uid("write-shadow-predictions");
        predictions
                .getSideOutput(ScoringOperator.UNSCORABLE)
                .sinkTo(
                        new LinePartSink<UnscorableRecord>(
                                dir, UNSCORABLE, u -> u.id + "," + Csv.field(u.reason)))
                .name("write-unscorable")
                .uid("write-unscorable");
    }

    static final String REJECTED_HEADER = "file,line,reason,raw";
    static final String LATE_HEADER = "id,type,time,watermark,prediction,missed,reason";
    static final String INCOMPLETE_HEADER = "id,missing";
    static final String PREDICTIONS_HEADER = "id,model,version,prediction";
    static final String UNSCORABLE_HEADER = "id,reason";

    /**
     * One line of rejected.csv. A rejected row may hold line breaks (a quoted CSV value with one is
     * a reason to reject it); they are written as {@code \n} and {@code \r}, so each rejected row
     * stays one line and the file's count matches the job's.
     */
    static String rejectedLine(String source, long line, String reason, String raw) {
        return Csv.field(Csv.singleLine(source))
                + ","
                + line
                + ","
                + Csv.field(Csv.singleLine(reason))
                + ","
                + Csv.field(Csv.singleLine(raw));
    }

    /** One line of late.csv ({@link #LATE_HEADER}). */
    static String lateLine(
            long id,
            String type,
            long time,
            long watermark,
            boolean queryLate,
            String missed,
            String reason) {
        return id
                + ","
                + Csv.field(type)
                + ","
                + Instant.ofEpochMilli(time)
                + ","
                + Instant.ofEpochMilli(watermark)
                + ","
                + (queryLate ? "none" : "unaffected")
                + ","
                + Csv.field(missed)
                + ","
                + Csv.field(reason);
    }
}
