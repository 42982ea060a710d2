package dev.parity.jobs.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka cluster in this JVM, from Kafka's own test kit. Configured for
 * transactions on one broker (replication factor and min ISR of the transaction log at 1,
 * docs/ARCHITECTURE.md section 8).
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static EmbeddedKafka start() throws Exception {
        KafkaClusterTestKit cluster =
                new KafkaClusterTestKit.Builder(
                                new TestKitNodes.Builder()
                                        .setCombined(true)
                                        .setNumBrokerNodes(1)
                                        .setNumControllerNodes(1)
                                        .build())
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("auto.create.topics.enable", "false")
                        .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new EmbeddedKafka(cluster);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public void createTopic(String name, int partitions) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
    }

    /**
     * Reads a topic from the start with {@code isolation.level=read_committed} until {@code
     * expected} records arrived (or a minute passed), then polls once more so that duplicates would
     * show.
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, long expected) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers());
        p.put("group.id", "check-" + topic + "-" + System.nanoTime());
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
            c.poll(Duration.ofSeconds(1)).forEach(out::add);
        }
        return out;
    }

    /** Counts the committed records of {@code topic} up to its last stable offset, now. */
    public long countAllCommitted(String topic) {
        return forEachCommitted(topic, Duration.ofMinutes(10), r -> {});
    }

    /**
     * Reads every committed record of {@code topic} up to its last stable offset, now ({@code
     * isolation.level=read_committed}).
     */
    public List<ConsumerRecord<byte[], byte[]>> readAllCommitted(String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        forEachCommitted(topic, Duration.ofMinutes(1), out::add);
        return out;
    }

    /**
     * Hands every committed record of {@code topic} up to its last stable offset, now, to {@code f}
     * without keeping them (for topics too large to hold); returns how many there were.
     *
     * @throws IllegalStateException when the end is not reached within {@code timeout}
     */
    public long forEachCommitted(
            String topic, Duration timeout, Consumer<ConsumerRecord<byte[], byte[]>> f) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers());
        p.put("isolation.level", "read_committed");
        p.put("max.poll.records", "5000");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            c.partitionsFor(topic)
                    .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            topic + ": not read to its end within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    f.accept(r);
                    count++;
                }
            }
        }
        return count;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
