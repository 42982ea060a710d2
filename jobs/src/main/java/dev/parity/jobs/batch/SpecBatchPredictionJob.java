package dev.parity.jobs.batch;

import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.SnapshotValue;
import dev.parity.features.engine.SpecFileInput;
import dev.parity.features.engine.SpecPipeline;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.engine.SpecSnapshots;
import dev.parity.jobs.backfill.BackfillJob;
import dev.parity.models.flink.Prediction;
import dev.parity.models.flink.ScoringOperator;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Batch prediction of a feature spec: every query event of a period scored with the backfill's
 * pipeline ({@link SpecPipeline}) and scoring operator, upserted into {@code batch_predictions},
 * and the daily snapshots of the spec's daily features ({@link SpecSnapshots}) of the period's days
 * upserted into {@code spec_feature_snapshots}, which {@code online --spec} serves. Builds the
 * graph only; {@link BatchPredictCommand} prepares the database, runs it, records the days it
 * covered and reports.
 *
 * <p>Delivery is at-least-once with upserts on the primary keys, as in {@link BatchPredictionJob}.
 */
public final class SpecBatchPredictionJob {
    /** Accumulators: the first and last event time of the input (the days it covers). */
    public static final String FIRST_EVENT = "parityFirstEventTime";

    public static final String LAST_EVENT = "parityLastEventTime";

    static final String UPSERT_SNAPSHOT =
            "INSERT INTO spec_feature_snapshots (spec_fingerprint, entity, day, feature, value)"
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
    public SpecBatchPredictionJob(
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
        this.fromMillis = from == null ? Long.MIN_VALUE : BatchPredictionJob.startOf(from);
        this.toMillisExclusive =
                to == null ? Long.MAX_VALUE : BatchPredictionJob.startOf(to.plusDays(1));
        this.jdbcBatchSize = jdbcBatchSize;
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
                    .map(new Counted<SnapshotValue>(BatchPredictionJob.SNAPSHOT_VALUES_UPSERTED))
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
                                    .withExecutionOptions(
                                            BatchPredictionJob.executionOptions(jdbcBatchSize))
                                    .buildAtLeastOnce(db.connectionOptions()))
                    .name("upsert-spec-feature-snapshots")
                    .uid("upsert-spec-feature-snapshots");
        }

        DataStream<FeatureRow> inPeriod =
                SpecPipeline.builder(plan)
                        .build()
                        .apply(events)
                        .rows()
                        .filter(r -> r.time >= from && r.time < to)
                        .name("in-period");
        BatchPredictionJob.writePredictions(
                inPeriod.transform("score", TypeInformation.of(Prediction.class), scoring)
                        .uid("score"),
                db,
                BatchPredictionJob.executionOptions(jdbcBatchSize));
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
