package dev.parity.tests.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.api.FlightFeatures;
import dev.parity.features.reference.SampleData;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.ParityCli;
import dev.parity.jobs.streaming.RawBytes;
import dev.parity.jobs.streaming.StreamingPredictionJob;
import dev.parity.models.ModelGate;
import dev.parity.models.flink.ScoringOperator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample replayed into a real broker, the streaming job at parallelism 2 with exactly-once
 * Kafka output and RocksDB state: one committed prediction per flight, identical to the backfill's
 * predictions.csv for the same model; a malformed event goes to the dead-letter topic.
 */
class StreamingParityITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = SampleData.path().getParent().getParent().getParent();
    private static final String MODEL = ROOT.resolve("models/bundled/flights-linear/1").toString();
    private static EmbeddedKafka kafka;

    @TempDir Path tmp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic("flights.events", 2);
        kafka.createTopic("flights.predictions", 2);
        kafka.createTopic("flights.deadletter", 1);
        kafka.createTopic("flights.late", 1);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void streamedPredictionsEqualTheBackfillsExactlyOncePerFlight() throws Exception {
        assertThat(
                        ParityCli.execute(
                                "replay",
                                "--events",
                                SampleData.path().toString(),
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--progress-interval-ms",
                                "0"))
                .isZero();
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(
                            new ProducerRecord<>(
                                    "flights.events", "{not json".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }

        Path backfill = tmp.resolve("backfill");
        assertThat(
                        ParityCli.execute(
                                "backfill",
                                "--events",
                                SampleData.path().toString(),
                                "--out",
                                backfill.toString(),
                                "--model",
                                MODEL,
                                "--progress-interval",
                                "PT0S"))
                .isZero();
        List<String> expected = Files.readAllLines(backfill.resolve("predictions.csv"));
        expected = expected.subList(1, expected.size());

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        LocalFlink.configuration(RuntimeExecutionMode.STREAMING, true));
        env.setParallelism(2);
        env.enableCheckpointing(1000);
        new StreamingPredictionJob(
                        KafkaSource.<byte[]>builder()
                                .setBootstrapServers(kafka.bootstrapServers())
                                .setTopics("flights.events")
                                .setGroupId("streaming-parity")
                                .setStartingOffsets(OffsetsInitializer.earliest())
                                .setBounded(OffsetsInitializer.latest())
                                .setValueOnlyDeserializer(new RawBytes())
                                .build(),
                        sink(
                                "flights.predictions",
                                DeliveryGuarantee.EXACTLY_ONCE,
                                "parity-it-predictions"),
                        sink(
                                "flights.deadletter",
                                DeliveryGuarantee.EXACTLY_ONCE,
                                "parity-it-dead"),
                        sink("flights.late", DeliveryGuarantee.EXACTLY_ONCE, "parity-it-late"),
                        FlightFeatures.standard(),
                        new ScoringOperator(
                                MODEL,
                                ModelGate.builder().build(),
                                FlightFeatures.standard(),
                                256,
                                5,
                                1),
                        Duration.ofMinutes(5),
                        Duration.ofSeconds(5))
                .build(env);
        env.execute("streaming-parity");

        List<String> streamed = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                readCommitted("flights.predictions", expected.size())) {
            JsonNode n = JSON.readTree(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(n.get("id").asText());
            streamed.add(
                    n.get("id").asLong()
                            + ","
                            + n.get("model").asText()
                            + ","
                            + n.get("version").asText()
                            + ","
                            + Float.toString(n.get("prediction").floatValue()));
        }
        streamed.sort(
                java.util.Comparator.comparingLong(
                        s -> Long.parseLong(s.substring(0, s.indexOf(',')))));
        assertThat(streamed).hasSize(expected.size());
        assertThat(streamed).isEqualTo(expected);

        List<ConsumerRecord<byte[], byte[]>> dead = readCommitted("flights.deadletter", 1);
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8))
                .contains("malformed JSON")
                .contains("{not json");
    }

    private static KafkaSink<byte[]> sink(
            String topic, DeliveryGuarantee guarantee, String prefix) {
        return KafkaSink.<byte[]>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(prefix)
                // below the broker's transaction.max.timeout.ms (15 min), above checkpoint +
                // restart
                .setProperty("transaction.timeout.ms", "120000")
                .setRecordSerializer(
                        KafkaRecordSerializationSchema.<byte[]>builder()
                                .setTopic(topic)
                                .setKeySerializationSchema(new RawBytes.IdKey())
                                .setValueSerializationSchema(new RawBytes())
                                .build())
                .build();
    }

    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int expected) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("group.id", "check-" + topic);
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(500)).forEach(out::add);
            }
            c.poll(Duration.ofSeconds(1)).forEach(out::add); // duplicates would show up here
        }
        return out;
    }
}
