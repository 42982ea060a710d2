package dev.parity.jobs.streaming;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.events.FlightEvent;
import dev.parity.features.flink.FeaturePipeline;
import dev.parity.jobs.kafka.FlightEventJson;
import dev.parity.models.flink.Prediction;
import dev.parity.models.flink.ScoringOperator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The streaming prediction job: raw JSON events in, predictions out, through the same feature
 * pipeline and scoring operator as the backfill. It takes its source and sinks in the constructor
 * (Kafka in production, anything in tests); malformed events go to the dead-letter sink and late
 * events to the late sink, each as JSON with the reason.
 *
 * <p>Work in progress for the streaming issue: configuration options, the control topic for model
 * swaps and the launcher command come next.
 */
public final class StreamingPredictionJob {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeInformation<byte[]> BYTES =
            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    static final OutputTag<byte[]> DEAD_LETTERS = new OutputTag<>("dead-letters", BYTES);

    private final Source<byte[], ?, ?> events;
    private final Sink<byte[]> predictions;
    private final Sink<byte[]> deadLetters;
    private final Sink<byte[]> late;
    private final FeatureSet featureSet;
    private final ScoringOperator scoring;
    private final Duration outOfOrderness;
    private final Duration idleness;

    public StreamingPredictionJob(
            Source<byte[], ?, ?> events,
            Sink<byte[]> predictions,
            Sink<byte[]> deadLetters,
            Sink<byte[]> late,
            FeatureSet featureSet,
            ScoringOperator scoring,
            Duration outOfOrderness,
            Duration idleness) {
        this.events = events;
        this.predictions = predictions;
        this.deadLetters = deadLetters;
        this.late = late;
        this.featureSet = featureSet;
        this.scoring = scoring;
        this.outOfOrderness = outOfOrderness;
        this.idleness = idleness;
    }

    public void build(StreamExecutionEnvironment env) {
        SingleOutputStreamOperator<FlightEvent> decoded =
                env.fromSource(events, WatermarkStrategy.noWatermarks(), "flights.events")
                        .uid("events-source")
                        .process(new Decode())
                        .returns(TypeInformation.of(FlightEvent.class))
                        .name("decode-events")
                        .uid("decode-events");
        decoded.getSideOutput(DEAD_LETTERS)
                .sinkTo(deadLetters)
                .name("flights.deadletter")
                .uid("deadletter-sink");

        DataStream<FlightEvent> timed =
                decoded.assignTimestampsAndWatermarks(
                                WatermarkStrategy.<FlightEvent>forBoundedOutOfOrderness(
                                                outOfOrderness)
                                        .withTimestampAssigner((e, ts) -> e.time)
                                        .withIdleness(idleness))
                        .name("event-time")
                        .uid("event-time");

        FeaturePipeline.Output features =
                FeaturePipeline.builder()
                        .featureSet(featureSet)
                        .withLabel(false)
                        .build()
                        .apply(timed);
        features.lateEvents()
                .map(l -> lateJson(l.event, l.reason()))
                .returns(BYTES)
                .name("late-json")
                .sinkTo(late)
                .name("flights.late")
                .uid("late-sink");

        features.vectors()
                .transform("score", TypeInformation.of(Prediction.class), scoring)
                .uid("score")
                .map(StreamingPredictionJob::predictionJson)
                .returns(BYTES)
                .name("prediction-json")
                .sinkTo(predictions)
                .name("flights.predictions")
                .uid("predictions-sink");
    }

    /** {@code {id, dep_time, model, version, prediction}} (DESIGN section 5). */
    public static byte[] predictionJson(Prediction p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", p.id);
        n.put("dep_time", Instant.ofEpochMilli(p.depTime).toString());
        n.put("model", p.model);
        n.put("version", p.version);
        n.put("prediction", p.prediction);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] lateJson(FlightEvent e, String reason) {
        ObjectNode n = JSON.createObjectNode();
        n.put("reason", reason);
        try {
            n.set("event", JSON.readTree(FlightEventJson.encode(e)));
        } catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes events; what is not a valid event goes to {@link #DEAD_LETTERS} with the reason. */
    static final class Decode extends ProcessFunction<byte[], FlightEvent> {
        private transient Counter dead;

        @Override
        public void open(OpenContext ctx) {
            dead = getRuntimeContext().getMetricGroup().counter("parityDeadLetters");
        }

        @Override
        public void processElement(byte[] value, Context ctx, Collector<FlightEvent> out) {
            FlightEventJson.Decoded d = FlightEventJson.decode(value);
            if (d.event != null) {
                out.collect(d.event);
                return;
            }
            dead.inc();
            ObjectNode n = JSON.createObjectNode();
            n.put("reason", d.error);
            n.put("event", new String(value, StandardCharsets.UTF_8));
            ctx.output(DEAD_LETTERS, n.toString().getBytes(StandardCharsets.UTF_8));
        }
    }
}
