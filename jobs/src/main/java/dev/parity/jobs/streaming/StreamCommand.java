package dev.parity.jobs.streaming;

import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.FlightFeatures;
import dev.parity.jobs.LocalFlink;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelRegistry;
import dev.parity.models.flink.ScoringOperator;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parity stream}: the streaming prediction job on a local Flink against a Kafka cluster.
 * Predictions are written with exactly-once transactions: consumers must read with {@code
 * isolation.level=read_committed}.
 */
@Command(
        name = "stream",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the streaming prediction job: JSON events from Kafka through the feature engine"
                    + " (RocksDB state) and the ONNX scoring operator to exactly-once predictions.",
            "Consumers of the predictions topic must set isolation.level=read_committed."
        })
public final class StreamCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT")
    String bootstrapServers;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Model directory <registry>/<name>/<version>.")
    String model;

    @Option(
            names = "--events-topic",
            defaultValue = "flights.events",
            description = "Default: ${DEFAULT-VALUE}.")
    String eventsTopic;

    @Option(
            names = "--predictions-topic",
            defaultValue = "flights.predictions",
            description = "Default: ${DEFAULT-VALUE}.")
    String predictionsTopic;

    @Option(
            names = "--deadletter-topic",
            defaultValue = "flights.deadletter",
            description = "Default: ${DEFAULT-VALUE}.")
    String deadLetterTopic;

    @Option(
            names = "--late-topic",
            defaultValue = "flights.late",
            description = "Default: ${DEFAULT-VALUE}.")
    String lateTopic;

    @Option(
            names = "--group-id",
            defaultValue = "parity-streaming",
            description = "Consumer group. Default: ${DEFAULT-VALUE}.")
    String groupId;

    @Option(
            names = "--transactional-id-prefix",
            defaultValue = "parity-streaming",
            description = "Unique per job. Default: ${DEFAULT-VALUE}.")
    String transactionalIdPrefix;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "PT10S",
            description = "Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(
            names = "--transaction-timeout",
            defaultValue = "PT10M",
            description =
                    "Kafka transaction timeout; must stay below the broker's transaction.max.timeout.ms (15 min by default). Default: ${DEFAULT-VALUE}.")
    Duration transactionTimeout;

    @Option(
            names = "--allowed-lateness",
            defaultValue = "PT5M",
            description = "Bounded out-of-orderness. Default: ${DEFAULT-VALUE}.")
    Duration allowedLateness;

    @Option(
            names = "--idleness",
            defaultValue = "PT30S",
            description =
                    "A partition without events this long stops holding back the watermark. Default: ${DEFAULT-VALUE}.")
    Duration idleness;

    @Option(
            names = "--bounded",
            description = "Stop at the end offsets present at start (for replays and tests).")
    boolean bounded;

    @Option(names = "--parallelism", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(names = "--max-batch", defaultValue = "256", description = "Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(
            names = "--max-wait",
            defaultValue = "PT0.005S",
            description = "Default: ${DEFAULT-VALUE}.")
    Duration maxWait;

    @Override
    public Integer call() throws Exception {
        if (transactionTimeout.compareTo(checkpointInterval) <= 0) {
            throw new IllegalArgumentException(
                    "--transaction-timeout must exceed --checkpoint-interval (plus restart time)");
        }
        FeatureSet set = FlightFeatures.standard();
        ModelGate gate = ModelGate.builder().build();
        ModelRegistry.load(model, gate, set); // fail fast on a bad model
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        LocalFlink.configuration(RuntimeExecutionMode.STREAMING, true));
        env.setParallelism(parallelism);
        env.enableCheckpointing(checkpointInterval.toMillis());
        KafkaSourceBuilder<byte[]> source =
                KafkaSource.<byte[]>builder()
                        .setBootstrapServers(bootstrapServers)
                        .setTopics(eventsTopic)
                        .setGroupId(groupId)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setValueOnlyDeserializer(new RawBytes());
        if (bounded) {
            source.setBounded(OffsetsInitializer.latest());
        }
        new StreamingPredictionJob(
                        source.build(),
                        sink(predictionsTopic, "predictions"),
                        sink(deadLetterTopic, "deadletter"),
                        sink(lateTopic, "late"),
                        set,
                        new ScoringOperator(model, gate, set, maxBatch, maxWait.toMillis(), 1),
                        allowedLateness,
                        idleness)
                .build(env);
        System.out.printf(
                "stream: %s -> %s (exactly-once; read with isolation.level=read_committed)%n",
                eventsTopic, predictionsTopic);
        env.execute("parity-streaming");
        return 0;
    }

    private KafkaSink<byte[]> sink(String topic, String suffix) {
        return KafkaSink.<byte[]>builder()
                .setBootstrapServers(bootstrapServers)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-" + suffix)
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
}
