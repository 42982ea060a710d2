package dev.parity.features.flink;

import dev.parity.features.api.FeatureSet;
import dev.parity.features.core.FeatureVector;
import dev.parity.features.engine.IncompleteVector;
import dev.parity.features.events.FlightEvent;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The one operator graph that computes point-in-time feature vectors from flight events, in BATCH
 * and in STREAMING mode alike:
 *
 * <pre>
 * events -(rebalance)-> EventRouter -(key: group|entity)-> FeatureGroupFunction -+
 *              |  context, label                                    +-(key: id)-> FeatureJoinFunction -> vectors
 *              +----------------------------------------------------+
 * </pre>
 *
 * <pre>{@code
 * FeaturePipeline.Output out = FeaturePipeline.builder()
 *         .featureSet(FlightFeatures.standard())
 *         .withLabel(true)
 *         .build()
 *         .apply(events);
 * out.vectors().sinkTo(...);
 * out.lateEvents().sinkTo(...);
 * }</pre>
 *
 * The input stream must carry watermarks in STREAMING mode; the operators read event time from the
 * events themselves. Lateness is decided once per event, by the {@link EventRouter}, behind an
 * exchange from the sources. Every stateful operator has a stable uid.
 */
public final class FeaturePipeline {
    private final FeatureSet featureSet;
    private final boolean withLabel;
    private final Duration joinTimeout;
    private final String uidPrefix;

    private FeaturePipeline(Builder b) {
        this.featureSet = b.featureSet;
        this.withLabel = b.withLabel;
        this.joinTimeout = b.joinTimeout;
        this.uidPrefix = b.uidPrefix;
    }

    public static Builder builder() {
        return new Builder();
    }

    public FeatureSet featureSet() {
        return featureSet;
    }

    /** Adds the feature operators after {@code events}. */
    public Output apply(DataStream<FlightEvent> events) {
        // In STREAMING the router decides lateness, and it can only do that exactly behind an
        // exchange from the sources (see EventRouter). BATCH has no watermarks and no late data,
        // so it keeps the router chained and saves the shuffle.
        DataStream<FlightEvent> toRoute = isBatch(events) ? events : events.rebalance();
        SingleOutputStreamOperator<GroupInput> routed =
                toRoute.transform(
                                "route-events",
                                TypeInformation.of(GroupInput.class),
                                new EventRouter(featureSet, withLabel))
                        .uid(uidPrefix + "route-events");

        SingleOutputStreamOperator<FlightPart> groupParts =
                routed.keyBy(in -> in.key, Types.STRING)
                        .process(new FeatureGroupFunction(featureSet))
                        .returns(TypeInformation.of(FlightPart.class))
                        .name("feature-groups")
                        .uid(uidPrefix + "feature-groups");

        DataStream<FlightPart> parts = groupParts.union(routed.getSideOutput(EventRouter.PARTS));

        SingleOutputStreamOperator<FeatureVector> vectors =
                parts.keyBy(p -> p.id, Types.LONG)
                        .process(new FeatureJoinFunction(featureSet, withLabel, joinTimeout))
                        .returns(TypeInformation.of(FeatureVector.class))
                        .name("join-features")
                        .uid(uidPrefix + "join-features");

        return new Output(
                vectors,
                routed.getSideOutput(EventRouter.LATE),
                vectors.getSideOutput(FeatureJoinFunction.INCOMPLETE));
    }

    private static boolean isBatch(DataStream<?> events) {
        return events.getExecutionEnvironment()
                        .getConfiguration()
                        .get(ExecutionOptions.RUNTIME_MODE)
                == RuntimeExecutionMode.BATCH;
    }

    /** The streams the pipeline produces. */
    public static final class Output {
        private final DataStream<FeatureVector> vectors;
        private final DataStream<LateEvent> lateEvents;
        private final DataStream<IncompleteVector> incomplete;

        Output(
                DataStream<FeatureVector> vectors,
                DataStream<LateEvent> lateEvents,
                DataStream<IncompleteVector> incomplete) {
            this.vectors = vectors;
            this.lateEvents = lateEvents;
            this.incomplete = incomplete;
        }

        /** One vector per flight whose parts all arrived. */
        public DataStream<FeatureVector> vectors() {
            return vectors;
        }

        /** Events that were behind the watermark, one record each. */
        public DataStream<LateEvent> lateEvents() {
            return lateEvents;
        }

        /** Flights whose vector could not be completed within the join timeout. */
        public DataStream<IncompleteVector> incomplete() {
            return incomplete;
        }
    }

    /** Builder; defaults: label off, join timeout 7 days, uid prefix "features-". */
    public static final class Builder {
        private FeatureSet featureSet;
        private boolean withLabel;
        // Far above the longest flight the expansion can produce with real delays (a day and a
        // half in the reference data), so a slow arrival is never mistaken for a missing one.
        private Duration joinTimeout = Duration.ofDays(7);
        private String uidPrefix = "features-";

        private Builder() {}

        public Builder featureSet(FeatureSet featureSet) {
            this.featureSet = featureSet;
            return this;
        }

        /** Wait for the arrival and put the delay into each vector (training files). */
        public Builder withLabel(boolean withLabel) {
            this.withLabel = withLabel;
            return this;
        }

        /** Event time after a flight's first part at which an incomplete vector is given up. */
        public Builder joinTimeout(Duration joinTimeout) {
            this.joinTimeout = joinTimeout;
            return this;
        }

        public Builder uidPrefix(String uidPrefix) {
            this.uidPrefix = uidPrefix;
            return this;
        }

        public FeaturePipeline build() {
            Objects.requireNonNull(featureSet, "'featureSet' is required");
            if (joinTimeout == null || joinTimeout.isNegative() || joinTimeout.isZero()) {
                throw new IllegalArgumentException(
                        "'joinTimeout' must be positive, got " + joinTimeout);
            }
            if (uidPrefix == null) {
                throw new IllegalArgumentException("'uidPrefix' must not be null");
            }
            return new FeaturePipeline(this);
        }
    }
}
