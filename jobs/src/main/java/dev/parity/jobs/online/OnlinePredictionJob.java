package dev.parity.jobs.online;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parity.features.engine.EngineTypes;
import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.Window;
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

/**
 * Online prediction (the online mode, docs/ARCHITECTURE.md) of a feature spec (flights by default):
 * a request is one query event as JSON (flights: a departure {@code {id, time, origin, dest,
 * distance}}), answered with {@code {request_id, model, version, prediction, feature_day}} ({@code
 * request_id} being the event's id) from the request's context and the daily-feature snapshots of
 * its UTC day only ({@link OnlineLookup}), scored by the same {@link ScoringOperator} as the other
 * modes with a model of the spec's online inputs ({@link dev.parity.models.ModelContract#online}).
 * A request that cannot be answered, or one the model cannot score, is answered with {@code
 * {request_id, feature_day, error}}.
 *
 * <p>The job takes its source and sink in the constructor (production: Kafka {@code
 * flights.requests} in, {@code flights.responses} out with an exactly-once {@code KafkaSink}), so
 * tests run the same graph.
 */
public final class OnlinePredictionJob {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Source<byte[], ?, ?> requests;
    private final Sink<byte[]> responses;
    private final OnlineLookup lookup;
    private final ScoringOperator<FeatureRow> scoring;

    public OnlinePredictionJob(
            Source<byte[], ?, ?> requests,
            Sink<byte[]> responses,
            SpecPlan plan,
            ScoringOperator<FeatureRow> scoring,
            JdbcTarget db) {
        this.requests = requests;
        this.responses = responses;
        this.lookup = new OnlineLookup(plan, db);
        this.scoring = scoring;
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
        SingleOutputStreamOperator<FeatureRow> inputs =
                afterSource
                        .apply(raw)
                        .process(lookup)
                        .returns(EngineTypes.ROW)
                        .name("look-up-snapshots")
                        .uid("online-look-up-snapshots");
        SingleOutputStreamOperator<Prediction> predictions =
                inputs.transform("score", TypeInformation.of(Prediction.class), scoring)
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

    static String featureDay(long time) {
        return LocalDate.ofEpochDay(Math.floorDiv(Window.dayOf(time), 86_400_000L)).toString();
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
