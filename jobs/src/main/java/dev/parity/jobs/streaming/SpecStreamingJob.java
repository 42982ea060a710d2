package dev.parity.jobs.streaming;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parity.features.engine.DecodedRow;
import dev.parity.features.engine.EngineTypes;
import dev.parity.features.engine.EventJson;
import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.LateRecord;
import dev.parity.features.engine.SpecFileInput;
import dev.parity.features.engine.SpecPipeline;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelRegistry;
import dev.parity.models.flink.AbstractScoringOperator;
import dev.parity.models.flink.ModelAnnouncement;
import dev.parity.models.flink.Prediction;
import dev.parity.models.flink.SpecRowInput;
import dev.parity.models.flink.SwappableScoringOperator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming job for any feature spec: the spec's JSON events from Kafka ({@link EventJson}),
 * per-partition event time with bounded out-of-orderness and optional idleness, the generic feature
 * engine ({@link SpecPipeline}, the graph the backfill runs), the ONNX scoring operator, and
 * exactly-once JSON outputs. Sources and sinks are injected, so tests run it on their own; {@link
 * #fromConfig} wires Kafka.
 *
 * <p>Outputs: predictions {@code {id, time, model, version, prediction}}; late events and queries
 * left without a prediction on the late topic ({@code {reason, event, watermark, prediction,
 * missed}} and {@code {reason, incomplete}}); events that are not valid, and unscorable rows, on
 * the dead-letter topic with the reason. With a control topic, models are hot-swapped between
 * batches as in the flights job ({@link SwappableScoringOperator}); a model of another spec is
 * refused by the gate and reported on the dead-letter topic.
 */
public final class SpecStreamingJob {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeInformation<byte[]> BYTES =
            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;

    private final SpecPlan plan;
    private final Source<DecodedRow, ?, ?> events;
    private final Source<byte[], ?, ?> control;
    private final Sink<byte[]> predictions;
    private final Sink<byte[]> deadLetters;
    private final Sink<byte[]> late;
    private final StreamingPredictionJob.ScoringSettings scoring;
    private final Duration outOfOrderness;
    private final Duration idleness;

    /**
     * @param control model announcements (JSON {@code {"modelDir": ...}}), or null to serve {@code
     *     scoring}'s model only
     */
    public SpecStreamingJob(
            SpecPlan plan,
            Source<DecodedRow, ?, ?> events,
            Source<byte[], ?, ?> control,
            Sink<byte[]> predictions,
            Sink<byte[]> deadLetters,
            Sink<byte[]> late,
            StreamingPredictionJob.ScoringSettings scoring,
            Duration outOfOrderness,
            Duration idleness) {
        this.plan = plan;
        this.events = events;
        this.control = control;
        this.predictions = predictions;
        this.deadLetters = deadLetters;
        this.late = late;
        this.scoring = scoring;
        this.outOfOrderness = outOfOrderness;
        this.idleness = idleness;
    }

    /**
     * The job on Kafka as {@code conf} describes it, for the spec in {@code spec}. The model is
     * gated against the spec here, so a model of another spec fails the submission.
     */
    public static SpecStreamingJob fromConfig(ReadableConfig conf, Path spec) throws IOException {
        SpecPlan plan = SpecPlan.of(FeatureSpec.load(spec));
        KafkaWiring kafka = new KafkaWiring(conf);
        String modelDir = StreamingOptions.required(conf, StreamingOptions.MODEL_DIR);
        ModelGate gate =
                ModelGate.builder().maxBytes(conf.get(StreamingOptions.MAX_MODEL_BYTES)).build();
        ModelRegistry.load(modelDir, gate, ModelContract.of(plan));
        return new SpecStreamingJob(
                plan,
                kafka.events(new Schema(plan, conf.get(StreamingOptions.EVENTS_TOPIC))),
                kafka.control(),
                kafka.sink(StreamingOptions.PREDICTIONS_TOPIC, "predictions"),
                kafka.sink(StreamingOptions.DEADLETTER_TOPIC, "deadletter"),
                kafka.sink(StreamingOptions.LATE_TOPIC, "late"),
                kafka.scoring(modelDir, gate),
                conf.get(StreamingOptions.OUT_OF_ORDERNESS),
                kafka.idleness());
    }

    public SpecPlan plan() {
        return plan;
    }

    /** Builds the job graph; every stateful operator has a stable uid. */
    public void build(StreamExecutionEnvironment env) {
        // Event time per Kafka partition, from the event itself; an invalid record has none and
        // never moves the watermark.
        WatermarkStrategy<DecodedRow> time =
                WatermarkStrategy.<DecodedRow>forBoundedOutOfOrderness(outOfOrderness)
                        .withTimestampAssigner((r, ts) -> r.time());
        if (!idleness.isZero()) {
            time = time.withIdleness(idleness);
        }
        SingleOutputStreamOperator<EventRow> decoded =
                SpecFileInput.expand(
                        env.fromSource(events, time, "events").uid("events-source"),
                        "decode-events");
        DataStream<byte[]> dead =
                decoded.getSideOutput(SpecFileInput.REJECTED)
                        .map(SpecStreamingJob::deadLetter)
                        .returns(BYTES)
                        .name("dead-letter-json")
                        .uid("dead-letter-json");

        SpecPipeline.Output features =
                SpecPipeline.builder(plan).withLabel(false).build().apply(decoded);
        EventJson json = new EventJson(plan);
        features.lateEvents()
                .map(l -> lateJson(json, l))
                .returns(BYTES)
                .name("late-json")
                .uid("late-json")
                .union(
                        features.incomplete()
                                .map(StreamingPredictionJob::incompleteJson)
                                .returns(BYTES)
                                .name("incomplete-json")
                                .uid("incomplete-json"))
                .sinkTo(late)
                .name("late-sink")
                .uid("late-sink");

        SingleOutputStreamOperator<Prediction> scored;
        TypeInformation<Prediction> predictionType = TypeInformation.of(Prediction.class);
        if (control == null) {
            scored =
                    features.rows()
                            .transform(
                                    "score",
                                    predictionType,
                                    scoring.of(new SpecRowInput(plan)).build())
                            .uid("score");
        } else {
            // Announcements carry no event time: the control input never emits a watermark.
            SingleOutputStreamOperator<ModelAnnouncement> announcements =
                    env.fromSource(control, WatermarkStrategy.noWatermarks(), "model-announcements")
                            .uid("control-source")
                            .setParallelism(1)
                            .process(new StreamingPredictionJob.DecodeAnnouncement())
                            .returns(TypeInformation.of(ModelAnnouncement.class))
                            .setParallelism(1)
                            .name("decode-announcements")
                            .uid("decode-announcements");
            scored =
                    features.rows()
                            .connect(announcements.broadcast())
                            .transform(
                                    "score",
                                    predictionType,
                                    scoring.of(new SpecRowInput(plan)).buildSwappable())
                            .uid("score");
            dead =
                    dead.union(announcements.getSideOutput(StreamingPredictionJob.DEAD_LETTERS))
                            .union(
                                    scored.getSideOutput(SwappableScoringOperator.REJECTED_MODELS)
                                            .map(StreamingPredictionJob::rejectionJson)
                                            .returns(BYTES)
                                            .name("rejected-model-json")
                                            .uid("rejected-model-json"));
        }
        dead.union(
                        scored.getSideOutput(AbstractScoringOperator.UNSCORABLE)
                                .map(StreamingPredictionJob::unscorableJson)
                                .returns(BYTES)
                                .name("unscorable-json")
                                .uid("unscorable-json"))
                .sinkTo(deadLetters)
                .name("deadletter-sink")
                .uid("deadletter-sink");
        scored.map(SpecStreamingJob::predictionJson)
                .returns(BYTES)
                .name("prediction-json")
                .uid("prediction-json")
                .sinkTo(predictions)
                .name("predictions-sink")
                .uid("predictions-sink");
    }

    /** {@code {id, time, model, version, prediction}}. */
    public static byte[] predictionJson(Prediction p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", p.id);
        n.put("time", Instant.ofEpochMilli(p.depTime).toString());
        n.put("model", p.model);
        n.put("version", p.version);
        n.put("prediction", p.prediction);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] lateJson(EventJson json, LateRecord l) {
        ObjectNode n = JSON.createObjectNode();
        n.put("reason", l.reason());
        try {
            n.set("event", JSON.readTree(json.encode(l.event)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        StreamingPredictionJob.putLateness(n, l.watermark, l.queryLate, l.missed);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] deadLetter(DecodedRow r) {
        return StreamingPredictionJob.deadLetter(
                r.reason, r.raw == null ? new byte[0] : r.raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Kafka record values decoded into the spec's events; never throws on bad data. */
    static final class Schema implements DeserializationSchema<DecodedRow> {
        private static final long serialVersionUID = 1L;

        private final EventJson json;
        private final String topic;

        Schema(SpecPlan plan, String topic) {
            this.json = new EventJson(plan);
            this.topic = topic;
        }

        @Override
        public DecodedRow deserialize(byte[] message) {
            return json.decode(topic, -1L, message);
        }

        @Override
        public boolean isEndOfStream(DecodedRow next) {
            return false;
        }

        @Override
        public TypeInformation<DecodedRow> getProducedType() {
            return EngineTypes.DECODED;
        }
    }
}
