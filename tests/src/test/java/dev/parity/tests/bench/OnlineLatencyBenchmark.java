package dev.parity.tests.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.ParityCli;
import dev.parity.jobs.batch.JdbcTarget;
import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.jobs.online.OnlinePredictionJob;
import dev.parity.jobs.online.OnlineRequests;
import dev.parity.models.LinearBaseline;
import dev.parity.models.ModelContract;
import dev.parity.models.flink.Scoring;
import dev.parity.models.flink.ServingModel;
import dev.parity.models.flink.SpecRowInput;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Online prediction request-to-response latency on this machine: a real broker and PostgreSQL in
 * this JVM, the online job (parallelism 1) running unbounded with exactly-once responses; requests
 * for sample flights sent at a fixed rate; latency from the send to the response being readable
 * with {@code read_committed}. The first 5 s are warm-up and not counted.
 *
 * <pre>
 * java -cp ... dev.parity.tests.bench.OnlineLatencyBenchmark [rate/s] [seconds] [checkpoint ms]
 * </pre>
 */
public final class OnlineLatencyBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OnlineLatencyBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        long checkpointMs = args.length > 2 ? Long.parseLong(args[2]) : 1000;
        Path tmp = Files.createTempDirectory("online-bench");
        String sample = "data/sample/flights-sample.csv";
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start();
                EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("bench.requests", 1);
            kafka.createTopic("bench.responses", 1);
            String url = postgres.getJdbcUrl("postgres", "postgres");
            check(
                    ParityCli.execute(
                            "backfill",
                            "--events",
                            sample,
                            "--out",
                            tmp.resolve("b").toString(),
                            "--progress-interval",
                            "PT0S"));
            check(
                    ParityCli.execute(
                            "batch-predict",
                            "--events",
                            sample,
                            "--model",
                            "models/bundled/flights-linear/1",
                            "--jdbc-url",
                            url,
                            "--progress-interval",
                            "PT0S"));
            SpecPlan flights = SpecPlan.of(BundledSpec.flights());
            ModelContract online = ModelContract.online(flights);
            String model =
                    LinearBaseline.register(
                            LinearBaseline.fit(tmp.resolve("b/features.csv"), online, "delay"),
                            online,
                            tmp.resolve("registry").toString(),
                            "flights-online",
                            "1",
                            "bench");
            List<byte[]> requests = new ArrayList<>();
            List<String> lines = Files.readAllLines(tmp.resolve("b/features.csv"));
            List<String> header = List.of(lines.get(0).split(",", -1));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",", -1);
                if (f[header.indexOf("dep_time")].startsWith("2001-01-01")) {
                    continue;
                }
                requests.add(
                        OnlineRequests.json(
                                0,
                                f[header.indexOf("origin")],
                                f[header.indexOf("dest")],
                                Long.parseLong(f[header.indexOf("distance")]),
                                f[header.indexOf("dep_time")]));
            }

            Configuration conf = LocalFlink.configuration(RuntimeExecutionMode.STREAMING, true);
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(checkpointMs));
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(1);
            new OnlinePredictionJob(
                            OnlinePredictionJob.kafkaRequests(
                                    kafka.bootstrapServers(), "bench.requests", "bench", false),
                            OnlinePredictionJob.kafkaResponses(
                                    kafka.bootstrapServers(),
                                    "bench.responses",
                                    "bench-responses",
                                    Duration.ofMinutes(5)),
                            flights,
                            Scoring.of(new SpecRowInput(flights, online))
                                    .serve(ServingModel.at(model))
                                    .maxBatch(64)
                                    .maxWait(Duration.ofMillis(2))
                                    .build(),
                            JdbcTarget.of(url, null, null))
                    .build(env);
            JobClient job = env.executeAsync("online-latency");

            Map<Long, Long> sentAt = new ConcurrentHashMap<>();
            List<Long> latenciesMicros = Collections.synchronizedList(new ArrayList<>());
            long warmupEnd = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            long total = (long) rate * seconds;
            int[] errors = {0};
            Thread consumer =
                    new Thread(
                            () -> {
                                Properties p = new Properties();
                                p.put("bootstrap.servers", kafka.bootstrapServers());
                                p.put("isolation.level", "read_committed");
                                p.put("group.id", "bench-reader");
                                p.put("auto.offset.reset", "earliest");
                                p.put("key.deserializer", ByteArrayDeserializer.class.getName());
                                p.put("value.deserializer", ByteArrayDeserializer.class.getName());
                                long seen = 0;
                                try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
                                    c.subscribe(List.of("bench.responses"));
                                    long giveUp =
                                            System.nanoTime()
                                                    + Duration.ofSeconds(seconds + 60).toNanos();
                                    while (seen < total && System.nanoTime() < giveUp) {
                                        for (ConsumerRecord<byte[], byte[]> r :
                                                c.poll(Duration.ofMillis(20))) {
                                            long now = System.nanoTime();
                                            seen++;
                                            JsonNode n = JSON.readTree(r.value());
                                            if (n.has("error")) {
                                                errors[0]++;
                                                continue;
                                            }
                                            Long t0 = sentAt.get(n.get("request_id").asLong());
                                            if (t0 != null && t0 > warmupEnd) {
                                                latenciesMicros.add((now - t0) / 1000);
                                            }
                                        }
                                    }
                                } catch (Exception e) {
                                    throw new RuntimeException(e);
                                }
                            });
            consumer.start();

            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            p.put("key.serializer", ByteArraySerializer.class.getName());
            p.put("value.serializer", ByteArraySerializer.class.getName());
            p.put("linger.ms", "0");
            long start = System.nanoTime();
            long intervalNanos = 1_000_000_000L / rate;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
                for (long i = 0; i < total; i++) {
                    long due = start + i * intervalNanos;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                    ObjectNode r =
                            (ObjectNode) JSON.readTree(requests.get((int) (i % requests.size())));
                    r.put("id", i); // answered as request_id i
                    sentAt.put(i, System.nanoTime());
                    producer.send(
                            new ProducerRecord<>(
                                    "bench.requests",
                                    r.toString().getBytes(StandardCharsets.UTF_8)));
                }
            }
            consumer.join();
            job.cancel().get();

            List<Long> l = new ArrayList<>(latenciesMicros);
            Collections.sort(l);
            System.out.printf(
                    Locale.ROOT,
                    "online latency: rate %d/s for %d s, checkpoint %d ms, parallelism 1:"
                            + " %d measured (after 5 s warm-up), %d errors, p50 %.1f ms, p99 %.1f ms,"
                            + " max %.1f ms%n",
                    rate,
                    seconds,
                    checkpointMs,
                    l.size(),
                    errors[0],
                    l.isEmpty() ? Double.NaN : l.get(l.size() / 2) / 1000.0,
                    l.isEmpty() ? Double.NaN : l.get((int) (l.size() * 0.99)) / 1000.0,
                    l.isEmpty() ? Double.NaN : l.get(l.size() - 1) / 1000.0);
        }
        System.exit(0);
    }

    private static void check(int exitCode) {
        if (exitCode != 0) {
            throw new IllegalStateException("setup command failed with exit code " + exitCode);
        }
    }
}
