package dev.parity.tests.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.batch.JdbcTarget;
import dev.parity.jobs.online.OnlinePredictionJob;
import dev.parity.jobs.online.OnlineRequests;
import dev.parity.models.ModelGate;
import dev.parity.models.flink.Scoring;
import dev.parity.models.flink.ServingModel;
import dev.parity.models.flink.SpecRowInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online job's graph with an exception injected mid-stream: after the restart from the last
 * checkpoint, every request has exactly one committed response (the aborted transaction's responses
 * are never visible to read_committed consumers).
 */
class OnlineRecoveryITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KafkaAndPostgres services =
            new KafkaAndPostgres("recovery.requests", "recovery.responses");

    @TempDir Path tmp;

    @Test
    void oneCommittedResponsePerRequestAcrossARestart() throws Exception {
        String url = services.jdbcUrl();
        OnlineFixture fixture = OnlineFixture.prepare(tmp, url);
        SpecPlan flights = SpecPlan.of(BundledSpec.flights());
        Path features = fixture.features;
        String model = fixture.modelDir;

        List<String> lines = Files.readAllLines(features);
        List<String> header = List.of(lines.get(0).split(",", -1));
        Set<Long> ids = new HashSet<>();
        Properties p = new Properties();
        p.put("bootstrap.servers", services.kafka().bootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 1; i < lines.size(); i += 10) {
                String[] f = lines.get(i).split(",", -1);
                String dep = f[header.indexOf("dep_time")];
                if (dep.startsWith("2001-01-01")) {
                    continue;
                }
                long id = Long.parseLong(f[header.indexOf("id")]);
                producer.send(
                        new ProducerRecord<>(
                                "recovery.requests",
                                OnlineRequests.json(
                                        id,
                                        f[header.indexOf("origin")],
                                        f[header.indexOf("dest")],
                                        Long.parseLong(f[header.indexOf("distance")]),
                                        dep)));
                ids.add(id);
            }
            producer.flush();
        }
        assertThat(ids).hasSizeGreaterThan(2000);

        Faults.reset(ids.size() / 2);
        Configuration conf = LocalFlink.configuration(RuntimeExecutionMode.STREAMING, true);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(300));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        ModelGate gate = ModelGate.builder().build();
        new OnlinePredictionJob(
                        OnlinePredictionJob.kafkaRequests(
                                services.kafka().bootstrapServers(),
                                "recovery.requests",
                                "recovery",
                                true),
                        OnlinePredictionJob.kafkaResponses(
                                services.kafka().bootstrapServers(),
                                "recovery.responses",
                                "recovery-responses",
                                Duration.ofMinutes(2)),
                        flights,
                        Scoring.of(new SpecRowInput(flights, fixture.contract))
                                .serve(ServingModel.at(model).gatedBy(gate))
                                .maxBatch(64)
                                .maxWait(Duration.ofMillis(2))
                                .build(),
                        JdbcTarget.of(url, null, null))
                .build(
                        env,
                        requests ->
                                requests.map(new Faults())
                                        .returns(
                                                PrimitiveArrayTypeInfo
                                                        .BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                                        .name("faults")
                                        .uid("faults"));
        env.execute("online-recovery");

        assertThat(Faults.thrown).as("the failure was injected").isTrue();
        assertThat(Faults.checkpointsBeforeFailure.get()).isPositive();
        assertThat(Faults.attempts.get()).as("faults operator opened again").isGreaterThan(2);

        List<ConsumerRecord<byte[], byte[]>> responses =
                services.kafka().readAllCommitted("recovery.responses");
        Set<Long> answered = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : responses) {
            JsonNode n = JSON.readTree(r.value());
            assertThat(n.has("error")).as(n.toString()).isFalse();
            long id = n.get("request_id").asLong();
            assertThat(answered.add(id)).as("second committed response to %d", id).isTrue();
        }
        assertThat(answered).isEqualTo(ids);
    }

    /**
     * Slows the requests (1 ms each) and throws once, when the total count has passed a threshold
     * and a checkpoint has completed (some responses are then committed, the rest in flight).
     */
    static final class Faults extends RichMapFunction<byte[], byte[]>
            implements CheckpointListener {
        static final AtomicLong records = new AtomicLong();
        static final AtomicLong attempts = new AtomicLong();
        static volatile long throwAt;
        static volatile boolean thrown;
        static final AtomicLong checkpointsBeforeFailure = new AtomicLong();
        private static final AtomicBoolean once = new AtomicBoolean();

        static void reset(long at) {
            records.set(0);
            attempts.set(0);
            throwAt = at;
            thrown = false;
            once.set(false);
            checkpointsBeforeFailure.set(0);
        }

        @Override
        public void open(OpenContext ctx) {
            attempts.incrementAndGet();
        }

        @Override
        public byte[] map(byte[] request) throws Exception {
            // A rate limit inside the job, not a wait for a condition: it keeps the stream long
            // enough for the injected faults to land while it runs (faults fire on counts).
            Thread.sleep(1);
            // only after a completed checkpoint, so the restart restores one (not a fresh start)
            if (records.incrementAndGet() >= throwAt
                    && checkpointsBeforeFailure.get() > 0
                    && once.compareAndSet(false, true)) {
                thrown = true;
                throw new RuntimeException("injected failure after " + throwAt + " requests");
            }
            return request;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (!thrown) {
                checkpointsBeforeFailure.incrementAndGet();
            }
        }
    }
}
