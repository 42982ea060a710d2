package dev.parity.tests.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.reference.SampleData;
import dev.parity.jobs.ParityCli;
import dev.parity.jobs.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample replayed into a real broker, `parity stream` at parallelism 2 with exactly-once Kafka
 * output and RocksDB state: one committed prediction per flight, identical to the backfill's
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

        assertThat(
                        ParityCli.execute(
                                "stream",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--model",
                                MODEL,
                                "--bounded",
                                "--parallelism",
                                "2",
                                "--checkpoint-interval",
                                "PT1S",
                                "-D",
                                "parity.kafka.transaction-timeout=PT2M",
                                "-D",
                                "parity.events.idleness=PT5S"))
                .isZero();

        List<String> streamed = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                kafka.readCommitted("flights.predictions", expected.size())) {
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

        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readCommitted("flights.deadletter", 1);
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8))
                .contains("malformed JSON")
                .contains("{not json");
    }
}
