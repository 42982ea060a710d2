package dev.parity.features.engine;

import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The one operator graph that computes point-in-time feature rows from the events of any spec, in
 * BATCH and STREAMING mode alike:
 *
 * <pre>
 * events -(rebalance)-> SpecRouter -(key: group|entity)-> GroupFunction -+
 *              |  context, label                                       +-(key: id)-> JoinFunction -> rows
 *              +-------------------------------------------------------+
 * </pre>
 *
 * <pre>{@code
 * SpecPipeline.Output out = SpecPipeline.builder(SpecPlan.of(spec)).withLabel(true).build()
 *         .apply(events);
 * out.rows().sinkTo(...);
 * out.lateEvents().sinkTo(...);
 * }</pre>
 *
 * The input must carry watermarks in STREAMING mode; event time is read from the events. Lateness
 * is decided once per event by the router, behind an exchange from the sources. Stateful operators
 * have stable uids; the router refuses state taken with another spec ({@link SpecRouter}).
 */
public final class SpecPipeline {
    private final SpecPlan plan;
    private final boolean withLabel;
    private final Duration joinTimeout;
    private final String uidPrefix;

    private SpecPipeline(Builder b) {
        this.plan = b.plan;
        this.withLabel = b.withLabel;
        this.joinTimeout = b.joinTimeout;
        this.uidPrefix = b.uidPrefix;
    }

    public static Builder builder(SpecPlan plan) {
        return new Builder(plan);
    }

    public SpecPlan plan() {
        return plan;
    }

    public boolean withLabel() {
        return withLabel;
    }

    /** Adds the feature operators after {@code events}. */
    public Output apply(DataStream<EventRow> events) {
        // BATCH has no watermarks and no late data, so the router stays chained to the source.
        DataStream<EventRow> toRoute = isBatch(events) ? events : events.rebalance();
        SingleOutputStreamOperator<RoutedEvent> routed =
                toRoute.transform("route-events", EngineTypes.ROUTED, new SpecRouter(plan))
                        .uid(uidPrefix + "route-events");

        SingleOutputStreamOperator<VectorPart> groupParts =
                routed.keyBy(in -> in.key, Types.STRING)
                        .process(new GroupFunction(plan), EngineTypes.PART)
                        .name("feature-groups")
                        .uid(uidPrefix + "feature-groups");

        DataStream<VectorPart> parts = groupParts.union(routed.getSideOutput(SpecRouter.PARTS));

        SingleOutputStreamOperator<FeatureRow> rows =
                parts.keyBy(p -> p.id, Types.LONG)
                        .process(new JoinFunction(plan, withLabel, joinTimeout), EngineTypes.ROW)
                        .name("join-features")
                        .uid(uidPrefix + "join-features");

        return new Output(
                rows,
                routed.getSideOutput(SpecRouter.LATE),
                rows.getSideOutput(JoinFunction.INCOMPLETE));
    }

    private static boolean isBatch(DataStream<?> events) {
        return events.getExecutionEnvironment()
                        .getConfiguration()
                        .get(ExecutionOptions.RUNTIME_MODE)
                == RuntimeExecutionMode.BATCH;
    }

    /** The streams the pipeline produces. */
    public static final class Output {
        private final DataStream<FeatureRow> rows;
        private final DataStream<LateRecord> lateEvents;
        private final DataStream<IncompleteVector> incomplete;

        Output(
                DataStream<FeatureRow> rows,
                DataStream<LateRecord> lateEvents,
                DataStream<IncompleteVector> incomplete) {
            this.rows = rows;
            this.lateEvents = lateEvents;
            this.incomplete = incomplete;
        }

        /** One row per query whose parts all arrived. */
        public DataStream<FeatureRow> rows() {
            return rows;
        }

        /** Events that arrived behind the watermark, one record each. */
        public DataStream<LateRecord> lateEvents() {
            return lateEvents;
        }

        /** Queries whose row could not be completed within the join timeout, or came late. */
        public DataStream<IncompleteVector> incomplete() {
            return incomplete;
        }
    }

    /** Builder; defaults: label off, join timeout 7 days, uid prefix "features-". */
    public static final class Builder {
        private final SpecPlan plan;
        private boolean withLabel;
        private Duration joinTimeout = Duration.ofDays(7);
        private String uidPrefix = "features-";

        private Builder(SpecPlan plan) {
            this.plan = Objects.requireNonNull(plan, "plan");
        }

        /** Wait for the label and put it last in each row (training files). */
        public Builder withLabel(boolean withLabel) {
            this.withLabel = withLabel;
            return this;
        }

        /** Event time after a query's first part at which an incomplete row is given up. */
        public Builder joinTimeout(Duration joinTimeout) {
            this.joinTimeout = joinTimeout;
            return this;
        }

        public Builder uidPrefix(String uidPrefix) {
            this.uidPrefix = uidPrefix;
            return this;
        }

        public SpecPipeline build() {
            if (joinTimeout == null || joinTimeout.isNegative() || joinTimeout.isZero()) {
                throw new IllegalArgumentException(
                        "'joinTimeout' must be positive, got " + joinTimeout);
            }
            if (uidPrefix == null) {
                throw new IllegalArgumentException("'uidPrefix' must not be null");
            }
            if (withLabel && !plan.hasLabel()) {
                throw new IllegalArgumentException(
                        "spec " + plan.name() + " declares no label (query.label)");
            }
            return new SpecPipeline(this);
        }
    }
}
