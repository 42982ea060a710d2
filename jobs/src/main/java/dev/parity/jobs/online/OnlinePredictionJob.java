package dev.parity.jobs.online;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.WindowSpec;
import dev.parity.features.core.FeatureVector;
import dev.parity.features.engine.EngineTypes;
import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.SpecPlan;
import dev.parity.jobs.CliErrors;
import dev.parity.jobs.batch.JdbcTarget;
import dev.parity.jobs.streaming.RawBytes;
import dev.parity.models.flink.Prediction;
import dev.parity.models.flink.ScoringOperator;
import dev.parity.models.flink.UnscorableRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;

/**
 * Online prediction (the online mode, docs/ARCHITECTURE.md): requests {@code {request_id, origin,
 * dest, distance, dep_time}} are answered with {@code {request_id, model, version, prediction,
 * feature_day}}, from the request's context and the batch-feature snapshot of its UTC day only,
 * scored by the same {@link ScoringOperator} as the other modes with a model of {@link
 * dev.parity.features.api.FlightFeatures#online()}. A request without a snapshot for its day, or
 * one the model cannot score, is answered with {@code {request_id, feature_day, error}}.
 *
 * <p>The job takes its source and sink in the constructor (production: Kafka {@code
 * flights.requests} in, {@code flights.responses} out with an exactly-once {@code KafkaSink}), so
 * tests run the same graph.
 */
public final class OnlinePredictionJob {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Source<byte[], ?, ?> requests;
    private final Sink<byte[]> responses;
    private final Stage<?> stage;

    public OnlinePredictionJob(
            Source<byte[], ?, ?> requests,
            Sink<byte[]> responses,
            FeatureSet set,
            ScoringOperator<FeatureVector> scoring,
            JdbcTarget db) {
        this(
                requests,
                responses,
                new Stage<>(
                        new OnlineLookup(set, db),
                        TypeInformation.of(FeatureVector.class),
                        scoring));
    }

    private OnlinePredictionJob(
            Source<byte[], ?, ?> requests, Sink<byte[]> responses, Stage<?> stage) {
        this.requests = requests;
        this.responses = responses;
        this.stage = stage;
    }

    /**
     * The online job of a feature spec: requests are query events as JSON ({@link
     * SpecOnlineLookup}), answered from {@code spec_feature_snapshots} by a model of the spec's
     * online inputs; responses as for flights, {@code request_id} being the query event's id.
     */
    public static OnlinePredictionJob forSpec(
            Source<byte[], ?, ?> requests,
            Sink<byte[]> responses,
            SpecPlan plan,
            ScoringOperator<FeatureRow> scoring,
            JdbcTarget db) {
        return new OnlinePredictionJob(
                requests,
                responses,
                new Stage<>(new SpecOnlineLookup(plan, db), EngineTypes.ROW, scoring));
    }

    /** Request to model input, and its scoring: the part that depends on the feature set. */
    private static final class Stage<T> {
        final ProcessFunction<byte[], T> lookup;
        final TypeInformation<T> type;
        final OneInputStreamOperator<T, Prediction> scoring;

        Stage(
                ProcessFunction<byte[], T> lookup,
                TypeInformation<T> type,
                OneInputStreamOperator<T, Prediction> scoring) {
            this.lookup = lookup;
            this.type = type;
            this.scoring = scoring;
        }

        SingleOutputStreamOperator<T> lookUp(DataStream<byte[]> raw) {
            return raw.process(lookup)
                    .returns(type)
                    .name("look-up-snapshots")
                    .uid("online-look-up-snapshots");
        }
    }

    public void build(StreamExecutionEnvironment env) {
        build(env, UnaryOperator.identity());
    }

    /** With {@code afterSource} applied to the raw requests (tests insert faults there). */
    public void build(
            StreamExecutionEnvironment env, UnaryOperator<DataStream<byte[]>> afterSource) {
        DataStream<byte[]> raw =
                env.fromSource(requests, WatermarkStrategy.noWatermarks(), "requests")
                        .uid("online-requests");
        build(afterSource.apply(raw), stage);
    }

    private <T> void build(DataStream<byte[]> raw, Stage<T> stage) {
        SingleOutputStreamOperator<T> inputs = stage.lookUp(raw);
        SingleOutputStreamOperator<Prediction> predictions =
                inputs.transform("score", TypeInformation.of(Prediction.class), stage.scoring)
                        .uid("online-score");
        DataStream<byte[]> answers =
                predictions
                        .map(OnlinePredictionJob::response)
                        .returns(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                        .name("responses");
        DataStream<byte[]> unscorable =
                predictions
                        .getSideOutput(ScoringOperator.UNSCORABLE)
                        .map(OnlinePredictionJob::unscorable)
                        .returns(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                        .name("unscorable-responses");
        answers.union(inputs.getSideOutput(OnlineLookup.ERRORS), unscorable)
                .sinkTo(responses)
                .name("write-responses")
                .uid("online-write-responses");
    }

    /**
     * Entry point on a cluster: {@code flink run -c dev.parity.jobs.online.OnlinePredictionJob <job
     * jar> --bootstrap-servers ... --model ... --jdbc-url ...}, the options of {@code parity
     * online}. The client checks the model and the database and creates the tables before it
     * submits; the model directory must be readable on the TaskManagers too.
     */
    public static void main(String[] args) {
        CliErrors.runOrThrow(new OnlineCommand(true), args);
    }

    /** Requests from {@code topic}, from the earliest offset (or the group's, on restore). */
    public static KafkaSource<byte[]> kafkaRequests(
            String servers, String topic, String groupId, boolean bounded) {
        KafkaSourceBuilder<byte[]> source =
                KafkaSource.<byte[]>builder()
                        .setBootstrapServers(servers)
                        .setTopics(topic)
                        .setGroupId(groupId)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setValueOnlyDeserializer(new RawBytes());
        if (bounded) {
            source.setBounded(OffsetsInitializer.latest());
        }
        return source.build();
    }

    /**
     * Responses to {@code topic} in Kafka transactions committed on checkpoints, keyed by
     * request_id; {@code transactionTimeout} must stay below the broker's {@code
     * transaction.max.timeout.ms}.
     */
    public static KafkaSink<byte[]> kafkaResponses(
            String servers,
            String topic,
            String transactionalIdPrefix,
            Duration transactionTimeout) {
        return KafkaSink.<byte[]>builder()
                .setBootstrapServers(servers)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty(
                        "transaction.timeout.ms", String.valueOf(transactionTimeout.toMillis()))
                .setRecordSerializer(
                        KafkaRecordSerializationSchema.<byte[]>builder()
                                .setTopic(topic)
                                .setKeySerializationSchema(new RequestIdKey())
                                .setValueSerializationSchema(new RawBytes())
                                .build())
                .build();
    }

    /** The response's request_id as the record key (null for a request without one). */
    static final class RequestIdKey implements SerializationSchema<byte[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(byte[] json) {
            try {
                JsonNode id = JSON.readTree(json).get("request_id");
                return id == null || id.isNull()
                        ? null
                        : id.asText().getBytes(StandardCharsets.UTF_8);
            } catch (Exception e) {
                return null;
            }
        }
    }

    static String featureDay(long depTime) {
        return LocalDate.ofEpochDay(Math.floorDiv(WindowSpec.dayOf(depTime), 86_400_000L))
                .toString();
    }

    static byte[] response(Prediction p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("request_id", p.id);
        n.put("model", p.model);
        n.put("version", p.version);
        n.put("prediction", p.prediction);
        n.put("feature_day", featureDay(p.depTime));
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] unscorable(UnscorableRecord u) {
        return OnlineLookup.error(u.id, null, "unscorable: " + u.reason);
    }
}
