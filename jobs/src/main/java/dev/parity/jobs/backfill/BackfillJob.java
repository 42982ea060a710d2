package dev.parity.jobs.backfill;

import dev.parity.features.api.FeatureSet;
import dev.parity.features.core.FeatureVector;
import dev.parity.features.engine.Csv;
import dev.parity.features.flink.FeaturePipeline;
import dev.parity.features.flink.FlightFileInput;
import dev.parity.features.flink.IncompleteVector;
import dev.parity.features.flink.LateEvent;
import dev.parity.features.flink.LinePartSink;
import dev.parity.features.io.FeatureCsv;
import dev.parity.features.io.RowResult;
import dev.parity.models.flink.Prediction;
import dev.parity.models.flink.ScoringOperator;
import dev.parity.models.flink.UnscorableRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The backfill: a flights file in, the training file and the reports out, through the same feature
 * pipeline the streaming job runs. This class only builds the graph; {@link BackfillCommand}
 * configures the environment, runs it and merges the part files.
 */
public final class BackfillJob {
    /** Part-file names under the parts directory. */
    static final String FEATURES = "features";

    static final String REJECTED = "rejected";
    static final String LATE = "late";
    static final String INCOMPLETE = "incomplete";
    static final String PREDICTIONS = "predictions";
    static final String UNSCORABLE = "unscorable";
    static final String SHADOW = "shadow_predictions";

    private final String eventsFile;
    private final String partsDir;
    private final FeatureSet featureSet;
    private final Duration maxOutOfOrderness;
    private final ScoringOperator<FeatureVector> scoring;

    public BackfillJob(
            String eventsFile, String partsDir, FeatureSet featureSet, Duration maxOutOfOrderness) {
        this(eventsFile, partsDir, featureSet, maxOutOfOrderness, null);
    }

    /** With {@code scoring} set, the vectors are also scored and predictions written. */
    public BackfillJob(
            String eventsFile,
            String partsDir,
            FeatureSet featureSet,
            Duration maxOutOfOrderness,
            ScoringOperator<FeatureVector> scoring) {
        this.eventsFile = eventsFile;
        this.partsDir = partsDir;
        this.featureSet = featureSet;
        this.maxOutOfOrderness = maxOutOfOrderness;
        this.scoring = scoring;
    }

    /** Adds the backfill's sources, operators and sinks to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        FlightFileInput.Output input = FlightFileInput.read(env, eventsFile, maxOutOfOrderness);
        FeaturePipeline.Output out =
                FeaturePipeline.builder()
                        .featureSet(featureSet)
                        .withLabel(true)
                        .build()
                        .apply(input.events());

        FeatureCsv csv = new FeatureCsv(featureSet);
        out.vectors()
                .sinkTo(new LinePartSink<FeatureVector>(partsDir, FEATURES, csv::format))
                .name("write-features")
                .uid("write-features");
        if (scoring != null) {
            writePredictions(
                    out.vectors()
                            .transform("score", TypeInformation.of(Prediction.class), scoring)
                            .uid("score"),
                    partsDir);
        }
        input.rejected()
                .sinkTo(new LinePartSink<RowResult>(partsDir, REJECTED, BackfillJob::rejectedLine))
                .name("write-rejected")
                .uid("write-rejected")
                .setParallelism(1);
        out.lateEvents()
                .sinkTo(new LinePartSink<LateEvent>(partsDir, LATE, BackfillJob::lateLine))
                .name("write-late")
                .uid("write-late");
        out.incomplete()
                .sinkTo(
                        new LinePartSink<IncompleteVector>(
                                partsDir, INCOMPLETE, v -> v.id + "," + Csv.field(v.missing)))
                .name("write-incomplete")
                .uid("write-incomplete");
    }

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

    static String rejectedLine(RowResult r) {
        return rejectedLine(r.source, r.line, r.reason, r.raw);
    }

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

    static String lateLine(LateEvent l) {
        return lateLine(
                l.event.id,
                l.event.type.name().toLowerCase(Locale.ROOT),
                l.event.time,
                l.watermark,
                l.queryLate,
                l.missedText(),
                l.reason());
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
