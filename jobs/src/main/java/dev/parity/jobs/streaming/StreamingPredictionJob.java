package dev.parity.jobs.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.FlightFeatures;
import dev.parity.features.core.FeatureVector;
import dev.parity.features.events.FlightEvent;
import dev.parity.features.flink.FeaturePipeline;
import dev.parity.features.flink.IncompleteVector;
import dev.parity.features.flink.LateEvent;
import dev.parity.features.flink.MissedWindow;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.kafka.FlightEventJson;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelRegistry;
import dev.parity.models.flink.AbstractScoringOperator;
import dev.parity.models.flink.FlightVectorInput;
import dev.parity.models.flink.ModelAnnouncement;
import dev.parity.models.flink.ModelRejection;
import dev.parity.models.flink.Prediction;
import dev.parity.models.flink.Scoring;
import dev.parity.models.flink.ScoringInput;
import dev.parity.models.flink.ServingModel;
import dev.parity.models.flink.SwappableScoringOperator;
import dev.parity.models.flink.UnscorableRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
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
 * The streaming prediction job: raw JSON events in, predictions out, through the same feature
 * pipeline and scoring operator as the backfill. Malformed events, records the model cannot score
 * and refused model announcements go to the dead-letter sink, late events to the late sink, each as
 * JSON with the reason; nothing is dropped silently.
 *
 * <p>{@link #fromConfig} wires Kafka from the typed {@link StreamingOptions}; {@link #main} is the
 * entry point when the job jar is submitted to a cluster ({@code flink run -c
 * dev.parity.jobs.streaming.StreamingPredictionJob parity-jobs.jar --parity.model.dir ...}).
 */
public final class StreamingPredictionJob {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeInformation<byte[]> BYTES =
            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    static final OutputTag<byte[]> DEAD_LETTERS = new OutputTag<>("dead-letters", BYTES);

    private final Source<DecodedEvent, ?, ?> events;
    private final Source<byte[], ?, ?> control;
    private final Sink<byte[]> predictions;
    private final Sink<byte[]> deadLetters;
    private final Sink<byte[]> late;
    private final FeatureSet featureSet;
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
     * @param control model announcements (JSON), or null to serve {@code scoring.model} only
     */
    public StreamingPredictionJob(
            Source<DecodedEvent, ?, ?> events,
            Source<byte[], ?, ?> control,
            Sink<byte[]> predictions,
            Sink<byte[]> deadLetters,
            Sink<byte[]> late,
            FeatureSet featureSet,
            ScoringSettings scoring,
            Duration outOfOrderness,
            Duration idleness) {
        this.events = events;
        this.control = control;
        this.predictions = predictions;
        this.deadLetters = deadLetters;
        this.late = late;
        this.featureSet = featureSet;
        this.scoring = scoring;
        this.outOfOrderness = outOfOrderness;
        this.idleness = idleness;
    }

    /**
     * The job on Kafka as {@code conf} describes it. The model is loaded and gated here once, so a
     * bad model fails the submission with its reason instead of a restarting job.
     */
    public static StreamingPredictionJob fromConfig(ReadableConfig conf) throws Exception {
        KafkaWiring kafka = new KafkaWiring(conf);
        String modelDir = StreamingOptions.required(conf, StreamingOptions.MODEL_DIR);
        FeatureSet set = FlightFeatures.standard();
        ModelGate gate =
                ModelGate.builder().maxBytes(conf.get(StreamingOptions.MAX_MODEL_BYTES)).build();
        ModelRegistry.load(modelDir, gate, set);
        return new StreamingPredictionJob(
                        kafka.events(new DecodedEvent.Schema()),
                        kafka.control(),
                        kafka.sink(StreamingOptions.PREDICTIONS_TOPIC, "predictions"),
                        kafka.sink(StreamingOptions.DEADLETTER_TOPIC, "deadletter"),
                        kafka.sink(StreamingOptions.LATE_TOPIC, "late"),
                        set,
                        kafka.scoring(modelDir, gate),
                        conf.get(StreamingOptions.OUT_OF_ORDERNESS),
                        kafka.idleness())
                .withWatermarkAlignment(conf.get(StreamingOptions.WATERMARK_ALIGNMENT));
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
            StreamExecutionEnvironment env, UnaryOperator<DataStream<FlightEvent>> afterDecode) {
        // Event time and watermarks come from the source, per Kafka partition: a partition that
        // lags holds the watermark back instead of having its events turn late. Idleness bounds
        // how long a silent partition may hold it back (0: forever); what a partition sends after
        // the others moved on is reported late by the feature pipeline's router, never applied
        // out of order.
        WatermarkStrategy<DecodedEvent> time =
                WatermarkStrategy.<DecodedEvent>forBoundedOutOfOrderness(outOfOrderness)
                        .withTimestampAssigner((e, ts) -> e.eventTime());
        if (!idleness.isZero()) {
            time = time.withIdleness(idleness);
        }
        if (!alignment.isZero()) {
            time = time.withWatermarkAlignment("parity-events", alignment, Duration.ofMillis(250));
        }
        SingleOutputStreamOperator<FlightEvent> decoded =
                env.fromSource(events, time, "flights.events")
                        .uid("events-source")
                        .process(new Decode())
                        .returns(TypeInformation.of(FlightEvent.class))
                        .name("decode-events")
                        .uid("decode-events");
        DataStream<byte[]> dead = decoded.getSideOutput(DEAD_LETTERS);
        DataStream<FlightEvent> timed = afterDecode.apply(decoded);

        FeaturePipeline.Output features =
                FeaturePipeline.builder()
                        .featureSet(featureSet)
                        .withLabel(false)
                        .build()
                        .apply(timed);
        // Late events and the flights they left without a prediction go to one topic, so that a
        // consumer finds every difference from a backfill there.
        features.lateEvents()
                .map(StreamingPredictionJob::lateJson)
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
                .name("flights.late")
                .uid("late-sink");

        SingleOutputStreamOperator<ModelAnnouncement> announcements = null;
        if (control != null) {
            // Announcements carry no event time: the control input never emits a watermark.
            // Bounded runs (tests, replays) bound it too, so its end releases the operator.
            announcements =
                    env.fromSource(control, WatermarkStrategy.noWatermarks(), "model-announcements")
                            .uid("control-source")
                            .setParallelism(1)
                            .process(new DecodeAnnouncement())
                            .returns(TypeInformation.of(ModelAnnouncement.class))
                            .setParallelism(1)
                            .name("decode-announcements")
                            .uid("decode-announcements");
            dead = dead.union(announcements.getSideOutput(DEAD_LETTERS));
        }
        SingleOutputStreamOperator<Prediction> scored = score(features.vectors(), announcements);
        dead =
                dead.union(
                        scored.getSideOutput(AbstractScoringOperator.UNSCORABLE)
                                .map(StreamingPredictionJob::unscorableJson)
                                .returns(BYTES)
                                .name("unscorable-json")
                                .uid("unscorable-json"));
        if (announcements != null) {
            dead =
                    dead.union(
                            scored.getSideOutput(SwappableScoringOperator.REJECTED_MODELS)
                                    .map(StreamingPredictionJob::rejectionJson)
                                    .returns(BYTES)
                                    .name("rejected-model-json")
                                    .uid("rejected-model-json"));
        }
        dead.sinkTo(deadLetters).name("flights.deadletter").uid("deadletter-sink");

        scored.map(StreamingPredictionJob::predictionJson)
                .returns(BYTES)
                .name("prediction-json")
                .uid("prediction-json")
                .sinkTo(predictions)
                .name("flights.predictions")
                .uid("predictions-sink");
    }

    private SingleOutputStreamOperator<Prediction> score(
            DataStream<FeatureVector> vectors, DataStream<ModelAnnouncement> announcements) {
        TypeInformation<Prediction> type = TypeInformation.of(Prediction.class);
        if (announcements == null) {
            return vectors.transform(
                            "score", type, scoring.of(new FlightVectorInput(featureSet)).build())
                    .uid("score");
        }
        return vectors.connect(announcements.broadcast())
                .transform(
                        "score",
                        type,
                        scoring.of(new FlightVectorInput(featureSet)).buildSwappable())
                .uid("score");
    }

    /** {@code {id, dep_time, model, version, prediction}} (docs/ARCHITECTURE.md, Streaming job). */
    public static byte[] predictionJson(Prediction p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", p.id);
        n.put("dep_time", Instant.ofEpochMilli(p.depTime).toString());
        n.put("model", p.model);
        n.put("version", p.version);
        n.put("prediction", p.prediction);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code {reason, event, watermark, prediction, missed: [{feature, key, from, until}]}}: {@code
     * prediction} is {@code "none"} for a late departure (its flight gets an incomplete record),
     * else {@code "unaffected"}; {@code missed} lists the answers given without the event.
     */
    static byte[] lateJson(LateEvent l) {
        ObjectNode n = JSON.createObjectNode();
        n.put("reason", l.reason());
        try {
            n.set("event", JSON.readTree(FlightEventJson.encode(l.event)));
        } catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
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

    /**
     * Passes events on; what is not a valid event goes to {@link #DEAD_LETTERS} with the reason.
     */
    static final class Decode extends ProcessFunction<DecodedEvent, FlightEvent> {
        private transient Counter dead;

        @Override
        public void open(OpenContext ctx) {
            dead = getRuntimeContext().getMetricGroup().counter("parityDeadLetters");
        }

        @Override
        public void processElement(DecodedEvent value, Context ctx, Collector<FlightEvent> out) {
            if (value.event != null) {
                out.collect(value.event);
                return;
            }
            dead.inc();
            ctx.output(
                    DEAD_LETTERS,
                    deadLetter(value.error, value.raw.getBytes(StandardCharsets.UTF_8)));
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
}
