package dev.parity.jobs.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parity.features.engine.DecodedRow;
import dev.parity.features.engine.EngineTypes;
import dev.parity.features.engine.EventJson;
import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.IncompleteVector;
import dev.parity.features.engine.LateRecord;
import dev.parity.features.engine.MissedWindow;
import dev.parity.features.engine.SpecFileInput;
import dev.parity.features.engine.SpecPipeline;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.LocalFlink;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelRegistry;
import dev.parity.models.flink.AbstractScoringOperator;
import dev.parity.models.flink.ModelAnnouncement;
import dev.parity.models.flink.ModelRejection;
import dev.parity.models.flink.Prediction;
import dev.parity.models.flink.Scoring;
import dev.parity.models.flink.ScoringInput;
import dev.parity.models.flink.ServingModel;
import dev.parity.models.flink.SpecRowInput;
import dev.parity.models.flink.SwappableScoringOperator;
import dev.parity.models.flink.UnscorableRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The streaming prediction job, for any feature spec (the bundled flights spec when none is given):
 * the spec's JSON events from Kafka ({@link EventJson}), event time per Kafka partition with
 * bounded out-of-orderness and optional idleness, the generic feature engine ({@link SpecPipeline},
 * the very graph the backfill runs), the ONNX scoring operator, and exactly-once JSON outputs.
 * Events that are not valid, records the model cannot score and refused model announcements go to
 * the dead-letter sink; late events, with the answers they missed, and queries left without a
 * prediction go to the late sink; each as JSON with the reason, nothing dropped silently.
 *
 * <p>Predictions are {@code {id, time, model, version, prediction}}, the time member named by the
 * spec's {@code json.prediction_time} (flights: {@code dep_time}). With a control topic, models are
 * hot-swapped between batches ({@link SwappableScoringOperator}); a model of another spec is
 * refused by the gate and reported on the dead-letter topic.
 *
 * <p>Sources and sinks are injected, so tests run it on their own; {@link #fromConfig} wires Kafka
 * from the typed {@link StreamingOptions}; {@link #main} is the entry point when the job jar is
 * submitted to a cluster ({@code flink run -c dev.parity.jobs.streaming.StreamingPredictionJob
 * parity-jobs.jar --parity.model.dir ...}).
 */
public final class StreamingPredictionJob {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeInformation<byte[]> BYTES =
            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    static final OutputTag<byte[]> DEAD_LETTERS = new OutputTag<>("dead-letters", BYTES);

    private final SpecPlan plan;
    private final Source<DecodedRow, ?, ?> events;
    private final Source<byte[], ?, ?> control;
    private final Sink<byte[]> predictions;
    private final Sink<byte[]> deadLetters;
    private final Sink<byte[]> late;
    private final ScoringSettings scoring;
    private final Duration outOfOrderness;
    private final Duration idleness;
    private Duration alignment = Duration.ZERO;

    /** Turns on source watermark alignment with this maximum drift (zero: off). */
    public StreamingPredictionJob withWatermarkAlignment(Duration maxDrift) {
        if (maxDrift.isNegative()) {
            throw new IllegalArgumentException(
                    StreamingOptions.WATERMARK_ALIGNMENT.key()
                            + ": must be 0 (off) or positive, got "
                            + maxDrift);
        }
        this.alignment = maxDrift;
        return this;
    }

    /**
     * What the scoring operator needs besides its input: the serving model and the micro-batching;
     * one place for both the fixed and the swappable operator, and for both streaming jobs.
     */
    public static final class ScoringSettings {
        final ServingModel model;
        final int maxBatch;
        final Duration maxWait;
        final int intraOpThreads;

        public ScoringSettings(ServingModel model, int maxBatch, Duration maxWait, int threads) {
            this.model = model;
            this.maxBatch = maxBatch;
            this.maxWait = maxWait;
            this.intraOpThreads = threads;
        }

        /** The scoring operators' builder for {@code input}, with these settings. */
        public <T> Scoring<T> of(ScoringInput<T> input) {
            return Scoring.of(input)
                    .serve(model)
                    .maxBatch(maxBatch)
                    .maxWait(maxWait)
                    .intraOpThreads(intraOpThreads);
        }
    }

    /**
     * @param events the spec's events, decoded (a record that is not one carries its reason)
     * @param control model announcements (JSON {@code {"modelDir": ...}}), or null to serve {@code
     *     scoring}'s model only
     */
    public StreamingPredictionJob(
            SpecPlan plan,
            Source<DecodedRow, ?, ?> events,
            Source<byte[], ?, ?> control,
            Sink<byte[]> predictions,
            Sink<byte[]> deadLetters,
            Sink<byte[]> late,
            ScoringSettings scoring,
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
     * The job on Kafka as {@code conf} describes it, for the spec {@link StreamingOptions#SPEC}
     * names (the bundled flights spec when unset). The spec is validated and the model loaded and
     * gated against it here, once, so a bad spec or model fails the submission with its reason
     * instead of a restarting job.
     */
    public static StreamingPredictionJob fromConfig(ReadableConfig conf) throws IOException {
        String specFile = conf.get(StreamingOptions.SPEC);
        FeatureSpec spec =
                specFile == null || specFile.isBlank()
                        ? BundledSpec.flights()
                        : FeatureSpec.load(Path.of(specFile));
        SpecPlan plan = SpecPlan.of(spec);
        KafkaWiring kafka = new KafkaWiring(conf);
        String modelDir = StreamingOptions.required(conf, StreamingOptions.MODEL_DIR);
        ModelGate gate =
                ModelGate.builder().maxBytes(conf.get(StreamingOptions.MAX_MODEL_BYTES)).build();
        ModelRegistry.load(modelDir, gate, ModelContract.of(plan));
        return new StreamingPredictionJob(
                        plan,
                        kafka.events(new Schema(plan, conf.get(StreamingOptions.EVENTS_TOPIC))),
                        kafka.control(),
                        kafka.sink(StreamingOptions.PREDICTIONS_TOPIC, "predictions"),
                        kafka.sink(StreamingOptions.DEADLETTER_TOPIC, "deadletter"),
                        kafka.sink(StreamingOptions.LATE_TOPIC, "late"),
                        kafka.scoring(modelDir, gate),
                        conf.get(StreamingOptions.OUT_OF_ORDERNESS),
                        kafka.idleness())
                .withWatermarkAlignment(conf.get(StreamingOptions.WATERMARK_ALIGNMENT));
    }

    public SpecPlan plan() {
        return plan;
    }

    static OffsetsInitializer startingOffsets(String value) {
        switch (value) {
            case "committed":
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case "earliest":
                return OffsetsInitializer.earliest();
            case "latest":
                return OffsetsInitializer.latest();
            default:
                throw new IllegalArgumentException(
                        StreamingOptions.STARTING_OFFSETS.key()
                                + ": '"
                                + value
                                + "' is not one of committed, earliest, latest");
        }
    }

    static KafkaSink<byte[]> kafkaSink(
            String servers,
            Properties client,
            String topic,
            String transactionalIdPrefix,
            Duration transactionTimeout) {
        return KafkaSink.<byte[]>builder()
                .setBootstrapServers(servers)
                .setKafkaProducerConfig(client)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty(
                        "transaction.timeout.ms", String.valueOf(transactionTimeout.toMillis()))
                .setRecordSerializer(
                        KafkaRecordSerializationSchema.<byte[]>builder()
                                .setTopic(topic)
                                .setKeySerializationSchema(new RawBytes.IdKey())
                                .setValueSerializationSchema(new RawBytes())
                                .build())
                .build();
    }

    /**
     * Entry point on a cluster. Parity's options come from the cluster's {@code config.yaml} and
     * from {@code --key value} arguments (which win); see {@link StreamingOptions}.
     */
    public static void main(String[] args) throws Exception {
        Configuration fromArgs = Configuration.fromMap(ParameterTool.fromArgs(args).toMap());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration conf = new Configuration();
        // the cluster's (or the client's) configuration, then the arguments on top
        conf.addAll(Configuration.fromMap(env.getConfiguration().toMap()));
        conf.addAll(fromArgs);
        env.configure(LocalFlink.configuration(RuntimeExecutionMode.STREAMING, false));
        env.configure(conf);
        fromConfig(conf).build(env);
        env.execute(conf.get(StreamingOptions.JOB_NAME));
    }

    public void build(StreamExecutionEnvironment env) {
        build(env, UnaryOperator.identity());
    }

    /**
     * Builds the job graph; {@code afterDecode} may insert a stage between decoding and the feature
     * pipeline (the failure-injection tests use it). Every stateful operator has a stable uid.
     */
    public void build(
            StreamExecutionEnvironment env, UnaryOperator<DataStream<EventRow>> afterDecode) {
        // Event time and watermarks come from the source, per Kafka partition: a partition that
        // lags holds the watermark back instead of having its events turn late. Idleness bounds
        // how long a silent partition may hold it back (0: forever); what a partition sends after
        // the others moved on is reported late by the feature pipeline's router, never applied
        // out of order. An invalid record has no event time and never moves the watermark.
        WatermarkStrategy<DecodedRow> time =
                WatermarkStrategy.<DecodedRow>forBoundedOutOfOrderness(outOfOrderness)
                        .withTimestampAssigner((r, ts) -> r.time());
        if (!idleness.isZero()) {
            time = time.withIdleness(idleness);
        }
        if (!alignment.isZero()) {
            time = time.withWatermarkAlignment("parity-events", alignment, Duration.ofMillis(250));
        }
        SingleOutputStreamOperator<EventRow> decoded =
                SpecFileInput.expand(
                        env.fromSource(events, time, "events").uid("events-source"),
                        "decode-events");
        DataStream<byte[]> dead =
                decoded.getSideOutput(SpecFileInput.REJECTED)
                        .map(new DeadLetterJson())
                        .returns(BYTES)
                        .name("dead-letter-json")
                        .uid("dead-letter-json");
        DataStream<EventRow> timed = afterDecode.apply(decoded);

        SpecPipeline.Output features =
                SpecPipeline.builder(plan).withLabel(false).build().apply(timed);
        // Late events and the queries they left without a prediction go to one topic, so that a
        // consumer finds every difference from a backfill there.
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
            // Bounded runs (tests, replays) bound it too, so its end releases the operator.
            SingleOutputStreamOperator<ModelAnnouncement> announcements =
                    env.fromSource(control, WatermarkStrategy.noWatermarks(), "model-announcements")
                            .uid("control-source")
                            .setParallelism(1)
                            .process(new DecodeAnnouncement())
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
                    dead.union(announcements.getSideOutput(DEAD_LETTERS))
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
        String timeMember = plan.spec().json().predictionTime();
        scored.map(p -> predictionJson(p, timeMember))
                .returns(BYTES)
                .name("prediction-json")
                .uid("prediction-json")
                .sinkTo(predictions)
                .name("predictions-sink")
                .uid("predictions-sink");
    }

    /**
     * {@code {id, <timeMember>, model, version, prediction}}: the query event's id and time, and
     * the model's answer.
     */
    public static byte[] predictionJson(Prediction p, String timeMember) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", p.id);
        n.put(timeMember, Instant.ofEpochMilli(p.depTime).toString());
        n.put("model", p.model);
        n.put("version", p.version);
        n.put("prediction", p.prediction);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code {reason, event, watermark, prediction, missed: [{feature, key, from, until}]}}: {@code
     * prediction} is {@code "none"} for a late query event (it gets an incomplete record), else
     * {@code "unaffected"}; {@code missed} lists the answers given without the event, {@code key}
     * being its key fields' values joined by {@code |}.
     */
    static byte[] lateJson(EventJson json, LateRecord l) {
        ObjectNode n = JSON.createObjectNode();
        n.put("reason", l.reason());
        try {
            n.set("event", JSON.readTree(json.encode(l.event)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        putLateness(n, l.watermark, l.queryLate, l.missed);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The watermark, whether the event's own prediction is lost, and the answers it missed. */
    static void putLateness(
            ObjectNode n, long watermark, boolean queryLate, MissedWindow[] missed) {
        n.put("watermark", Instant.ofEpochMilli(watermark).toString());
        n.put("prediction", queryLate ? "none" : "unaffected");
        ArrayNode windows = n.putArray("missed");
        for (MissedWindow m : missed) {
            ObjectNode w = windows.addObject();
            w.put("feature", m.feature);
            w.put("key", m.key);
            w.put("from", Instant.ofEpochMilli(m.from).toString());
            w.put("until", Instant.ofEpochMilli(m.until).toString());
        }
    }

    /** {@code {reason, incomplete: id}}: a flight that gets no prediction, and why. */
    static byte[] incompleteJson(IncompleteVector v) {
        ObjectNode n = JSON.createObjectNode();
        n.put("reason", "incomplete: " + v.missing);
        n.put("incomplete", v.id);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] unscorableJson(UnscorableRecord u) {
        ObjectNode n = JSON.createObjectNode();
        n.put("reason", "unscorable: " + u.reason);
        n.put("id", u.id);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] rejectionJson(ModelRejection r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("reason", "model refused: " + r.reason);
        n.put("modelDir", r.modelDir);
        n.put("serving", r.servingModel);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A record that is not a valid event, as {@code {reason, event}}; counted. */
    static final class DeadLetterJson extends RichMapFunction<DecodedRow, byte[]> {
        private transient Counter dead;

        @Override
        public void open(OpenContext ctx) {
            dead = getRuntimeContext().getMetricGroup().counter("parityDeadLetters");
        }

        @Override
        public byte[] map(DecodedRow r) {
            dead.inc();
            return deadLetter(
                    r.reason, r.raw == null ? new byte[0] : r.raw.getBytes(StandardCharsets.UTF_8));
        }
    }

    static byte[] deadLetter(String reason, byte[] raw) {
        ObjectNode n = JSON.createObjectNode();
        n.put("reason", reason);
        n.put("event", new String(raw, StandardCharsets.UTF_8));
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code {"modelDir": "...", "shadow": false}}; anything else is a dead letter (the model in it
     * is not gated here: every subtask gates what it loads).
     */
    static final class DecodeAnnouncement extends ProcessFunction<byte[], ModelAnnouncement> {
        @Override
        public void processElement(byte[] value, Context ctx, Collector<ModelAnnouncement> out) {
            try {
                JsonNode n = JSON.readTree(value);
                JsonNode dir = n == null ? null : n.get("modelDir");
                if (dir == null || !dir.isTextual() || dir.asText().isBlank()) {
                    ctx.output(DEAD_LETTERS, deadLetter("announcement without modelDir", value));
                    return;
                }
                ModelAnnouncement a = new ModelAnnouncement(dir.asText());
                a.shadow = n.path("shadow").asBoolean(false);
                out.collect(a);
            } catch (java.io.IOException e) {
                ctx.output(DEAD_LETTERS, deadLetter("malformed announcement JSON", value));
            }
        }
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
