package dev.parity.jobs.batch;

import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.SnapshotValue;
import dev.parity.features.engine.SpecFileInput;
import dev.parity.features.engine.SpecPipeline;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.engine.SpecSnapshots;
import dev.parity.jobs.CliErrors;
import dev.parity.jobs.backfill.BackfillJob;
import dev.parity.models.flink.Prediction;
import dev.parity.models.flink.ScoringOperator;
import dev.parity.models.flink.UnscorableRecord;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Batch prediction (the batch mode, docs/ARCHITECTURE.md) of a feature spec (flights by default):
 * every query event of a period scored with the backfill's pipeline ({@link SpecPipeline}) and the
 * same scoring operator, upserted into {@code batch_predictions}, and the daily snapshots of the
 * spec's daily features ({@link SpecSnapshots}) of the period's days upserted into {@code
 * feature_snapshots}, which the online job serves. This class only builds the graph; {@link
 * BatchPredictCommand} prepares the database, runs it, records the days it covered in {@code
 * snapshot_days} and reports.
 *
 * <p>Delivery is at-least-once (the JDBC sink flushes on checkpoints and at end of input); every
 * write is an upsert on the table's primary key, so a replayed record overwrites its own row with
 * the same values and the table ends up as if each record had been written once.
 */
public final class BatchPredictionJob {
    /** Accumulators: the first and last event time of the input (the days it covers). */
    public static final String FIRST_EVENT = "parityFirstEventTime";

    public static final String LAST_EVENT = "parityLastEventTime";

    /** Accumulator/metric: predictions handed to the PostgreSQL sink. */
    public static final String PREDICTIONS_UPSERTED = "parityPredictionsUpserted";

    /** Accumulator/metric: snapshot values handed to the PostgreSQL sink. */
    public static final String SNAPSHOT_VALUES_UPSERTED = "paritySnapshotValuesUpserted";

    /** Accumulator/metric: query events of the period the scoring operator could not score. */
    public static final String UNSCORABLE = "parityUnscorable";

    static final String UPSERT_PREDICTION =
            "INSERT INTO batch_predictions (id, model, version, prediction, computed_at)"
                    + " VALUES (?, ?, ?, ?, now())"
                    + " ON CONFLICT (id, model, version) DO UPDATE"
                    + " SET prediction = EXCLUDED.prediction, computed_at = EXCLUDED.computed_at";

    static final String UPSERT_SNAPSHOT =
            "INSERT INTO feature_snapshots (spec_fingerprint, entity, day, feature, value)"
                    + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (spec_fingerprint, entity, day, feature)"
                    + " DO UPDATE SET value = EXCLUDED.value";

    private final SpecPlan plan;
    private final List<BackfillJob.Input> inputs;
    private final Duration maxOutOfOrderness;
    private final ScoringOperator<FeatureRow> scoring;
    private final JdbcTarget db;
    private final long fromMillis;
    private final long toMillisExclusive;
    private final int jdbcBatchSize;

    /**
     * Scores the query events on days {@code from} to {@code to} (inclusive, UTC; null for open
     * ends); their features still see every earlier event of the inputs.
     */
    public BatchPredictionJob(
            SpecPlan plan,
            List<BackfillJob.Input> inputs,
            Duration maxOutOfOrderness,
            ScoringOperator<FeatureRow> scoring,
            JdbcTarget db,
            LocalDate from,
            LocalDate to,
            int jdbcBatchSize) {
        this.plan = plan;
        this.inputs = List.copyOf(inputs);
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
        DataStream<EventRow> events = null;
        for (int i = 0; i < inputs.size(); i++) {
            BackfillJob.Input in = inputs.get(i);
            SpecFileInput.Output o =
                    SpecFileInput.read(
                            env, in.file(), in.decoder(), maxOutOfOrderness, "events-" + i);
            events = events == null ? o.events() : events.union(o.events());
            // rejected rows are counted by the reader (rows_rejected) and reported
            o.rejected().sinkTo(new DiscardingSink<>()).name("rejected-" + i);
        }
        events =
                events.map(new EventTimeRange()).returns(events.getType()).name("event-time-range");

        long from = fromMillis;
        long to = toMillisExclusive;
        if (SpecSnapshots.hasDailyFeatures(plan)) {
            String fingerprint = plan.fingerprint();
            SpecSnapshots.apply(events, plan, "snapshots-")
                    .filter(s -> s.day >= from && s.day < to)
                    .name("snapshots-in-period")
                    .map(new Counted<SnapshotValue>(SNAPSHOT_VALUES_UPSERTED))
                    .returns(TypeInformation.of(SnapshotValue.class))
                    .name("count-snapshots")
                    .sinkTo(
                            JdbcSink.<SnapshotValue>builder()
                                    .withQueryStatement(
                                            UPSERT_SNAPSHOT,
                                            (ps, s) -> {
                                                ps.setString(1, fingerprint);
                                                ps.setString(2, s.entity);
                                                ps.setObject(
                                                        3,
                                                        LocalDate.ofEpochDay(
                                                                Math.floorDiv(s.day, 86_400_000L)));
                                                ps.setString(4, s.feature);
                                                ps.setString(5, s.value);
                                            })
                                    .withExecutionOptions(executionOptions(jdbcBatchSize))
                                    .buildAtLeastOnce(db.connectionOptions()))
                    .name("upsert-feature-snapshots")
                    .uid("upsert-feature-snapshots");
        }

        DataStream<FeatureRow> inPeriod =
                SpecPipeline.builder(plan)
                        .build()
                        .apply(events)
                        .rows()
                        .filter(r -> r.time >= from && r.time < to)
                        .name("in-period");
        writePredictions(
                inPeriod.transform("score", TypeInformation.of(Prediction.class), scoring)
                        .uid("score"),
                db,
                executionOptions(jdbcBatchSize));
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

    /** Batches of {@code jdbcBatchSize} rows, flushed at checkpoints and at the end, 3 retries. */
    static JdbcExecutionOptions executionOptions(int jdbcBatchSize) {
        return JdbcExecutionOptions.builder()
                .withBatchSize(jdbcBatchSize)
                .withBatchIntervalMs(0)
                .withMaxRetries(3)
                .build();
    }

    /** Records the first and last event time as accumulators. */
    static final class EventTimeRange extends RichMapFunction<EventRow, EventRow> {
        private static final long serialVersionUID = 1L;
        private transient LongMinimum first;
        private transient LongMaximum last;

        @Override
        public void open(OpenContext openContext) {
            first = new LongMinimum();
            last = new LongMaximum();
            getRuntimeContext().addAccumulator(FIRST_EVENT, first);
            getRuntimeContext().addAccumulator(LAST_EVENT, last);
        }

        @Override
        public EventRow map(EventRow e) {
            first.add(e.time);
            last.add(e.time);
            return e;
        }
    }
}
