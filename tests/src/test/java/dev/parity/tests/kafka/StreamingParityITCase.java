package dev.parity.tests.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.reference.SampleData;
import dev.parity.jobs.ParityCli;
import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.jobs.kafka.PredictionRecords;
import dev.parity.tests.Backfills;
import java.nio.charset.StandardCharsets;
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

        List<String> expected = Backfills.samplePredictions(tmp.resolve("backfill"), MODEL);

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
                                // every subtask has a partition and the topic is complete:
                                // nothing should wait on idleness, and nothing can turn late
                                "parity.events.idleness=0"))
                .isZero();

        List<String> streamed = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                kafka.readCommitted("flights.predictions", expected.size())) {
            String line = PredictionRecords.csvLine(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8))
                    .isEqualTo(Long.toString(PredictionRecords.idOf(line)));
            streamed.add(line);
        }
        streamed.sort(java.util.Comparator.comparingLong(PredictionRecords::idOf));
        assertThat(streamed).hasSize(expected.size());
        assertThat(streamed).isEqualTo(expected);

        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readCommitted("flights.deadletter", 1);
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8))
                .contains("malformed JSON")
                .contains("{not json");
    }
}
