package dev.parity.jobs.batch;

import dev.parity.features.api.FeatureSet;
import dev.parity.features.core.FeatureVector;
import dev.parity.features.flink.DailySnapshots;
import dev.parity.features.flink.FeaturePipeline;
import dev.parity.features.flink.FeatureSnapshot;
import dev.parity.features.flink.FlightFileInput;
import dev.parity.jobs.CliErrors;
import dev.parity.models.flink.Prediction;
import dev.parity.models.flink.ScoringOperator;
import dev.parity.models.flink.UnscorableRecord;
import java.sql.Types;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Batch prediction (the batch mode, docs/ARCHITECTURE.md): every flight of a period scored with the
 * same feature pipeline and scoring operator as the backfill and the streaming job, upserted into
 * {@code batch_predictions}, and the daily batch-feature snapshots of the period's days upserted
 * into {@code feature_snapshots} (see {@link DailySnapshots}). This class only builds the graph;
 * {@link BatchPredictCommand} prepares the database, runs it and reports.
 *
 * <p>Delivery is at-least-once (the JDBC sink flushes on checkpoints and at end of input); every
 * write is an upsert on the table's primary key, so a replayed record overwrites its own row with
 * the same values and the table ends up as if each record had been written once.
 */
public final class BatchPredictionJob {
    /** Accumulator/metric: predictions handed to the PostgreSQL sink. */
    public static final String PREDICTIONS_UPSERTED = "parityPredictionsUpserted";

    /** Accumulator/metric: snapshot values handed to the PostgreSQL sink. */
    public static final String SNAPSHOT_VALUES_UPSERTED = "paritySnapshotValuesUpserted";

    static final String UPSERT_SNAPSHOT =
            "INSERT INTO feature_snapshots (entity, day, feature, value) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT (entity, day, feature) DO UPDATE SET value = EXCLUDED.value";

    /** Accumulator/metric: flights of the period the scoring operator could not score. */
    public static final String UNSCORABLE = "parityUnscorable";

    static final String UPSERT_PREDICTION =
            "INSERT INTO batch_predictions (id, model, version, prediction, computed_at)"
                    + " VALUES (?, ?, ?, ?, now())"
                    + " ON CONFLICT (id, model, version) DO UPDATE"
                    + " SET prediction = EXCLUDED.prediction, computed_at = EXCLUDED.computed_at";

    private final String eventsFile;
    private final FeatureSet featureSet;
    private final Duration maxOutOfOrderness;
    private final ScoringOperator<FeatureVector> scoring;
    private final JdbcTarget db;
    private final long fromMillis;
    private final long toMillisExclusive;
    private final int jdbcBatchSize;

    /**
     * Scores the flights departing on days {@code from} to {@code to} (inclusive, UTC; null for
     * open ends). Features still see every earlier event of the file.
     */
    public BatchPredictionJob(
            String eventsFile,
            FeatureSet featureSet,
            Duration maxOutOfOrderness,
            ScoringOperator<FeatureVector> scoring,
            JdbcTarget db,
            LocalDate from,
            LocalDate to,
            int jdbcBatchSize) {
        this.eventsFile = eventsFile;
        this.featureSet = featureSet;
        this.maxOutOfOrderness = maxOutOfOrderness;
        this.scoring = scoring;
        this.db = db;
        this.fromMillis = from == null ? Long.MIN_VALUE : startOf(from);
        this.toMillisExclusive = to == null ? Long.MAX_VALUE : startOf(to.plusDays(1));
        this.jdbcBatchSize = jdbcBatchSize;
    }

    /**
     * Entry point on a cluster: {@code flink run -c dev.parity.jobs.batch.BatchPredictionJob <job
     * jar> --events ... --model ... --jdbc-url ...}, the options of {@code parity batch-predict}.
     * The events file and the model directory must be readable on the TaskManagers (a shared path
     * or a Flink file system URI); the job jar reads CSV and CSV.gz only (it does not carry the
     * Parquet reader).
     */
    public static void main(String[] args) {
        CliErrors.runOrThrow(new BatchPredictCommand(System.out, true), args);
    }

    static long startOf(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    /** Adds the job's sources, operators and sinks to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        FlightFileInput.Output input = FlightFileInput.read(env, eventsFile, maxOutOfOrderness);
        FeaturePipeline.Output out =
                FeaturePipeline.builder()
                        .featureSet(featureSet)
                        .withLabel(false)
                        .build()
                        .apply(input.events());

        // Snapshots of the days in the period (a day's snapshot is valid from its midnight); the
        // events before --from feed them as they feed the flights' features.
        long firstDay = fromMillis;
        long lastDayEnd = toMillisExclusive;
        DailySnapshots.apply(input.events(), featureSet, "snapshots-")
                .filter(s -> s.day >= firstDay && s.day < lastDayEnd)
                .name("snapshots-in-period")
                .map(new Counted<FeatureSnapshot>(SNAPSHOT_VALUES_UPSERTED))
                .returns(TypeInformation.of(FeatureSnapshot.class))
                .name("count-snapshots")
                .sinkTo(
                        JdbcSink.<FeatureSnapshot>builder()
                                .withQueryStatement(
                                        UPSERT_SNAPSHOT,
                                        (ps, s) -> {
                                            ps.setString(1, s.entity);
                                            ps.setObject(
                                                    2,
                                                    LocalDate.ofEpochDay(
                                                            Math.floorDiv(s.day, 86_400_000L)));
                                            ps.setString(3, s.feature);
                                            if (Double.isNaN(s.value)) {
                                                ps.setNull(4, Types.DOUBLE);
                                            } else {
                                                ps.setDouble(4, s.value);
                                            }
                                        })
                                .withExecutionOptions(executionOptions())
                                .buildAtLeastOnce(db.connectionOptions()))
                .name("upsert-feature-snapshots")
                .uid("upsert-feature-snapshots");

        long from = fromMillis;
        long to = toMillisExclusive;
        DataStream<FeatureVector> inPeriod =
                out.vectors().filter(v -> v.depTime >= from && v.depTime < to).name("in-period");
        writePredictions(
                inPeriod.transform("score", TypeInformation.of(Prediction.class), scoring)
                        .uid("score"),
                db,
                executionOptions());
    }

    /**
     * Upserts {@code predictions} into {@code batch_predictions}, counted; the unscorable ones are
     * counted too (never silently dropped: the command reports them and fails the run).
     */
    static void writePredictions(
            SingleOutputStreamOperator<Prediction> predictions,
            JdbcTarget db,
            JdbcExecutionOptions options) {
        predictions
                .map(new Counted<Prediction>(PREDICTIONS_UPSERTED))
                .returns(TypeInformation.of(Prediction.class))
                .name("count-predictions")
                .sinkTo(
                        JdbcSink.<Prediction>builder()
                                .withQueryStatement(
                                        UPSERT_PREDICTION,
                                        (ps, p) -> {
                                            ps.setLong(1, p.id);
                                            ps.setString(2, p.model);
                                            ps.setString(3, p.version);
                                            ps.setFloat(4, p.prediction);
                                        })
                                .withExecutionOptions(options)
                                .buildAtLeastOnce(db.connectionOptions()))
                .name("upsert-batch-predictions")
                .uid("upsert-batch-predictions");
        predictions
                .getSideOutput(ScoringOperator.UNSCORABLE)
                .map(new Counted<UnscorableRecord>(UNSCORABLE))
                .returns(TypeInformation.of(UnscorableRecord.class))
                .name("count-unscorable")
                .sinkTo(new DiscardingSink<>())
                .name("unscorable");
    }

    private JdbcExecutionOptions executionOptions() {
        return executionOptions(jdbcBatchSize);
    }

    /** Batches of {@code jdbcBatchSize} rows, flushed at checkpoints and at the end, 3 retries. */
    static JdbcExecutionOptions executionOptions(int jdbcBatchSize) {
        return JdbcExecutionOptions.builder()
                .withBatchSize(jdbcBatchSize)
                .withBatchIntervalMs(0)
                .withMaxRetries(3)
                .build();
    }
}
