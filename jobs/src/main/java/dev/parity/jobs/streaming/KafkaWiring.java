package dev.parity.jobs.streaming;

import dev.parity.models.ModelGate;
import dev.parity.models.flink.ServingModel;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

/**
 * The Kafka sources and sinks of a streaming job as the {@link StreamingOptions} describe them,
 * shared by the flights job and the spec job: the events topic (with its starting offsets, bounded
 * when asked), the control topic, and the exactly-once output topics.
 */
final class KafkaWiring {
    private final ReadableConfig conf;
    private final String servers;
    private final Properties client;
    private final boolean bounded;

    KafkaWiring(ReadableConfig conf) {
        this.conf = conf;
        this.servers = StreamingOptions.required(conf, StreamingOptions.BOOTSTRAP_SERVERS);
        this.client = StreamingOptions.clientProperties(conf);
        this.bounded = conf.get(StreamingOptions.BOUNDED);
    }

    /** The events topic, each record decoded by {@code values}. */
    <T> KafkaSource<T> events(DeserializationSchema<T> values) {
        KafkaSourceBuilder<T> events =
                KafkaSource.<T>builder()
                        .setBootstrapServers(servers)
                        .setProperties(client)
                        .setTopics(conf.get(StreamingOptions.EVENTS_TOPIC))
                        .setGroupId(conf.get(StreamingOptions.GROUP_ID))
                        .setStartingOffsets(
                                StreamingPredictionJob.startingOffsets(
                                        conf.get(StreamingOptions.STARTING_OFFSETS)))
                        .setValueOnlyDeserializer(values);
        if (bounded) {
            events.setBounded(OffsetsInitializer.latest());
        }
        return events.build();
    }

    /** The control topic of model announcements, read from the start; null when none is set. */
    KafkaSource<byte[]> control() {
        String topic = conf.get(StreamingOptions.CONTROL_TOPIC);
        if (topic == null) {
            return null;
        }
        KafkaSourceBuilder<byte[]> c =
                KafkaSource.<byte[]>builder()
                        .setBootstrapServers(servers)
                        .setProperties(client)
                        .setTopics(topic)
                        .setGroupId(conf.get(StreamingOptions.GROUP_ID) + "-control")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setValueOnlyDeserializer(new RawBytes());
        if (bounded) {
            c.setBounded(OffsetsInitializer.latest());
        }
        return c.build();
    }

    /** An exactly-once sink to the topic {@code topic} names, its transactions named by suffix. */
    KafkaSink<byte[]> sink(ConfigOption<String> topic, String suffix) {
        return StreamingPredictionJob.kafkaSink(
                servers,
                client,
                conf.get(topic),
                conf.get(StreamingOptions.TRANSACTIONAL_ID_PREFIX) + "-" + suffix,
                conf.get(StreamingOptions.TRANSACTION_TIMEOUT));
    }

    /** The idleness timeout, 0 for off. */
    Duration idleness() {
        Duration idleness = conf.get(StreamingOptions.IDLENESS);
        if (idleness.isNegative()) {
            throw new IllegalArgumentException(
                    StreamingOptions.IDLENESS.key()
                            + ": must be 0 (off) or positive, got "
                            + idleness);
        }
        return idleness;
    }

    /** The scoring settings, for the model in {@code modelDir} gated by {@code gate}. */
    StreamingPredictionJob.ScoringSettings scoring(String modelDir, ModelGate gate) {
        return new StreamingPredictionJob.ScoringSettings(
                ServingModel.at(modelDir).gatedBy(gate),
                conf.get(StreamingOptions.MAX_BATCH),
                conf.get(StreamingOptions.MAX_WAIT),
                conf.get(StreamingOptions.INTRA_OP_THREADS));
    }
}
