package dev.parity.tests.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.reference.SampleData;
import dev.parity.jobs.ParityCli;
import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.jobs.kafka.PredictionRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
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
 * The second example's events replayed into a real broker as the spec's JSON, `parity stream
 * --spec` at parallelism 2 with exactly-once output and RocksDB state: one committed prediction per
 * query event, identical to the spec backfill's predictions with the same model; an event of an
 * unknown kind and one with a bad value go to the dead-letter topic with the reason.
 */
class SpecStreamingITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = SampleData.path().getParent().getParent().getParent();
    private static final Path SPEC = ROOT.resolve("examples/iam-policies/iam-policies.yaml");
    private static final Path EVENTS = ROOT.resolve("examples/iam-policies/sample.csv");
    private static EmbeddedKafka kafka;

    @TempDir Path tmp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic("iam.events", 2);
        kafka.createTopic("iam.predictions", 2);
        kafka.createTopic("iam.deadletter", 1);
        kafka.createTopic("iam.late", 1);
        kafka.createTopic("iam.control", 1);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void streamedPredictionsEqualTheSpecBackfillsExactlyOncePerEvent() throws Exception {
        Path features = tmp.resolve("features");
        assertThat(backfill(features, null)).isZero();
        assertThat(
                        ParityCli.execute(
                                "train",
                                "--spec",
                                SPEC.toString(),
                                "--features",
                                features.resolve("features.csv").toString(),
                                "--out",
                                tmp.resolve("registry").toString(),
                                "--name",
                                "iam-mlp",
                                "--hidden",
                                "8",
                                "--epochs",
                                "2"))
                .isIn(0, 3);
        String model = tmp.resolve("registry/iam-mlp/1").toString();
        assertThat(backfill(tmp.resolve("scored"), model)).isZero();
        List<String> expected = Files.readAllLines(tmp.resolve("scored/predictions.csv"));
        expected = expected.subList(1, expected.size());

        assertThat(
                        ParityCli.execute(
                                "replay",
                                "--spec",
                                SPEC.toString(),
                                "--events",
                                EVENTS.toString(),
                                "--topic",
                                "iam.events",
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
            producer.send(record("{\"kind\":\"payment\",\"id\":1}")).get();
            // a model of another spec announced on the control topic: refused, the model serves on
            String flights = ROOT.resolve("models/bundled/flights-linear/1").toString();
            producer.send(
                            new ProducerRecord<>(
                                    "iam.control",
                                    ("{\"modelDir\":" + JSON.writeValueAsString(flights) + "}")
                                            .getBytes(StandardCharsets.UTF_8)))
                    .get();
            producer.send(
                            record(
                                    "{\"id\":99999,\"ts\":\"2021-12-31T00:00:00Z\",\"version\":\"x\"}"))
                    .get();
        }

        assertThat(
                        ParityCli.execute(
                                "stream",
                                "--spec",
                                SPEC.toString(),
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--model",
                                model,
                                "--control-topic",
                                "iam.control",
                                "--bounded",
                                "--parallelism",
                                "2",
                                "--checkpoint-interval",
                                "PT1S",
                                "-D",
                                "parity.topics.events=iam.events",
                                "-D",
                                "parity.topics.predictions=iam.predictions",
                                "-D",
                                "parity.topics.deadletter=iam.deadletter",
                                "-D",
                                "parity.topics.late=iam.late",
                                "-D",
                                "parity.kafka.transaction-timeout=PT2M",
                                "-D",
                                "parity.events.idleness=0"))
                .isZero();

        List<String> streamed = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                kafka.readCommitted("iam.predictions", expected.size())) {
            String line = PredictionRecords.csvLine(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8))
                    .isEqualTo(Long.toString(PredictionRecords.idOf(line)));
            streamed.add(line);
        }
        streamed.sort(Comparator.comparingLong(PredictionRecords::idOf));
        assertThat(streamed).isEqualTo(expected);

        List<String> dead = new ArrayList<>();
        kafka.readCommitted("iam.deadletter", 3)
                .forEach(r -> dead.add(new String(r.value(), StandardCharsets.UTF_8)));
        assertThat(dead)
                .anySatisfy(
                        d ->
                                assertThat(d)
                                        .contains("model refused")
                                        .contains("feature-set fingerprint mismatch"))
                .anySatisfy(d -> assertThat(d).contains("member 'kind'").contains("payment"))
                .anySatisfy(
                        d ->
                                assertThat(d)
                                        .contains("member 'version'")
                                        .contains("expected a long"));
    }

    private static ProducerRecord<byte[], byte[]> record(String json) {
        return new ProducerRecord<>("iam.events", json.getBytes(StandardCharsets.UTF_8));
    }

    private static int backfill(Path out, String model) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "backfill",
                                "--spec",
                                SPEC.toString(),
                                "--events",
                                EVENTS.toString(),
                                "--out",
                                out.toString(),
                                "--progress-interval",
                                "PT0S"));
        if (model != null) {
            args.add("--model");
            args.add(model);
        }
        return ParityCli.execute(args.toArray(new String[0]));
    }
}
