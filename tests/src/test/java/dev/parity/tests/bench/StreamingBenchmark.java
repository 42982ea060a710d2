package dev.parity.tests.bench;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.ParityCli;
import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.jobs.kafka.PredictionRecords;
import dev.parity.jobs.kafka.PredictionWatcher;
import dev.parity.jobs.streaming.StreamingOptions;
import dev.parity.jobs.streaming.StreamingPredictionJob;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming job end to end on 2 cores: a real broker (in this JVM), exactly-once sinks,
 * checkpoints every 10 s.
 *
 * <ol>
 *   <li>Throughput: the whole events file is loaded into Kafka first, then the job consumes the
 *       backlog (bounded at the offsets present at its start) once with RocksDB and once with heap
 *       state, side by side; wall time, events/s, committed predictions, and the checkpoints' size
 *       and duration read from the job's REST API while it runs.
 *   <li>Latency: the sample replayed at fixed event-time speed-ups into a running (unbounded) job;
 *       time from a departure entering Kafka to its prediction being readable with {@code
 *       read_committed}.
 * </ol>
 *
 * <pre>
 * tests/bench/run.sh StreamingBenchmark [events file] [rocksdb,hashmap] [latency speed-ups]
 * </pre>
 */
public final class StreamingBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "models/bundled/flights-linear/1";
    private static final String SAMPLE = "data/sample/flights-sample.csv";
    private static final Duration CHECKPOINTS = Duration.ofSeconds(10);

    private StreamingBenchmark() {}

    public static void main(String[] args) throws Exception {
        String events = args.length > 0 ? args[0] : "data/full/flights-3m.parquet";
        String[] backends = (args.length > 1 ? args[1] : "rocksdb,hashmap").split(",");
        String[] speedups = (args.length > 2 ? args[2] : "10000,40000").split(",");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("bench.events", 2);
            long t0 = System.nanoTime();
            check(
                    ParityCli.execute(
                            "replay",
                            "--events",
                            events,
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--topic",
                            "bench.events",
                            "--progress-interval-ms",
                            "10000"));
            System.out.printf(
                    Locale.ROOT,
                    "loaded %s into Kafka in %.1f s%n",
                    events,
                    (System.nanoTime() - t0) / 1e9);
            for (String backend : backends) {
                throughput(kafka, backend);
            }
            for (String s : speedups) {
                if (!s.isBlank()) { // "" skips the latency runs
                    latency(kafka, Double.parseDouble(s));
                }
            }
        }
    }

    private static void check(int exit) {
        if (exit != 0) {
            throw new IllegalStateException("command failed with exit code " + exit);
        }
    }

    private static Configuration jobConf(EmbeddedKafka kafka, String name, boolean bounded)
            throws IOException {
        Configuration conf = LocalFlink.configuration(RuntimeExecutionMode.STREAMING, true);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, CHECKPOINTS);
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                Files.createTempDirectory("parity-bench-cp").toUri().toString());
        conf.set(RestOptions.PORT, freePort());
        conf.set(StreamingOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(StreamingOptions.MODEL_DIR, MODEL);
        conf.set(StreamingOptions.GROUP_ID, name + "-" + System.nanoTime());
        conf.set(StreamingOptions.TRANSACTIONAL_ID_PREFIX, name + "-" + System.nanoTime());
        conf.set(StreamingOptions.PREDICTIONS_TOPIC, name + ".predictions");
        conf.set(StreamingOptions.DEADLETTER_TOPIC, name + ".deadletter");
        conf.set(StreamingOptions.LATE_TOPIC, name + ".late");
        conf.set(StreamingOptions.BOUNDED, bounded);
        conf.set(StreamingOptions.IDLENESS, Duration.ofSeconds(5));
        return conf;
    }

    private static void topics(EmbeddedKafka kafka, String name) throws Exception {
        kafka.createTopic(name + ".predictions", 2);
        kafka.createTopic(name + ".deadletter", 1);
        kafka.createTopic(name + ".late", 1);
    }

    private static void throughput(EmbeddedKafka kafka, String backend) throws Exception {
        String name = "bench." + backend;
        topics(kafka, name);
        Configuration conf = jobConf(kafka, name, true);
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        conf.set(StreamingOptions.EVENTS_TOPIC, "bench.events");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(2);
        StreamingPredictionJob.fromConfig(conf).build(env);
        long start = System.nanoTime();
        JobClient job = env.executeAsync("bench-" + backend);
        String checkpoints =
                "http://localhost:" + conf.get(RestOptions.PORT) + "/jobs/" + job.getJobID();
        JsonNode last = null;
        java.util.concurrent.CompletableFuture<?> result = job.getJobExecutionResult();
        while (!result.isDone()) {
            JsonNode now = getJson(checkpoints + "/checkpoints");
            if (now != null && now.path("counts").path("completed").asInt() > 0) {
                last = now;
            }
            try {
                result.get(2, TimeUnit.SECONDS); // the job's end, or the next sample
            } catch (java.util.concurrent.TimeoutException stillRunning) {
                // sample the checkpoint statistics again
            }
        }
        result.get();
        double secs = (System.nanoTime() - start) / 1e9;
        long predictions = kafka.countAllCommitted(name + ".predictions");
        long events = kafka.countAllCommitted("bench.events");
        System.out.printf(
                Locale.ROOT,
                "RESULT throughput backend=%s events=%d seconds=%.1f events_per_s=%.0f"
                        + " predictions_committed=%d%n",
                backend,
                events,
                secs,
                events / secs,
                predictions);
        if (last != null) {
            JsonNode s = last.path("summary");
            System.out.printf(
                    Locale.ROOT,
                    "RESULT checkpoints backend=%s completed=%d failed=%d"
                            + " checkpointed_size_avg=%s checkpointed_size_max=%s"
                            + " state_size_max=%s duration_ms_avg=%s duration_ms_p99=%s"
                            + " duration_ms_max=%s%n",
                    backend,
                    last.path("counts").path("completed").asInt(),
                    last.path("counts").path("failed").asInt(),
                    s.path("checkpointed_size").path("avg").asText(),
                    s.path("checkpointed_size").path("max").asText(),
                    s.path("state_size").path("max").asText(),
                    s.path("end_to_end_duration").path("avg").asText(),
                    s.path("end_to_end_duration").path("p99").asText(),
                    s.path("end_to_end_duration").path("max").asText());
        }
    }

    private static void latency(EmbeddedKafka kafka, double speedup) throws Exception {
        String name = "bench.live" + (long) speedup;
        kafka.createTopic(name + ".events", 2);
        topics(kafka, name);
        Configuration conf = jobConf(kafka, name, false);
        conf.set(StreamingOptions.EVENTS_TOPIC, name + ".events");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(2);
        StreamingPredictionJob.fromConfig(conf).build(env);
        JobClient job = env.executeAsync("bench-latency");
        PredictionWatcher w =
                new PredictionWatcher(
                        SpecPlan.of(BundledSpec.flights()),
                        kafka.bootstrapServers(),
                        name + ".events",
                        name + ".predictions",
                        name + ".late",
                        name + ".deadletter",
                        false,
                        PredictionRecords.MARKER_ID);
        Thread t = new Thread(w, "watcher");
        t.start();
        String jobUrl =
                "http://localhost:" + conf.get(RestOptions.PORT) + "/jobs/" + job.getJobID();
        await("every task of the latency job running")
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> allRunning(getJson(jobUrl)));
        long start = System.nanoTime();
        check(
                ParityCli.execute(
                        "replay",
                        "--events",
                        SAMPLE,
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--topic",
                        name + ".events",
                        "--speedup",
                        Double.toString(speedup),
                        "--progress-interval-ms",
                        "0"));
        double replaySecs = (System.nanoTime() - start) / 1e9;
        PredictionRecords.sendEndMarkers(
                kafka.bootstrapServers(),
                name + ".events",
                2,
                Instant.parse("2001-01-05T00:00:00Z"));
        await("every sample flight predicted")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> w.predictions() >= 48_626);
        w.stop();
        t.join();
        job.cancel().get(1, TimeUnit.MINUTES);
        long[] lat = w.latenciesMillis();
        System.out.printf(
                Locale.ROOT,
                "RESULT latency speedup=%.0f events_per_s=%.0f predictions=%d duplicates=%d"
                        + " p50_ms=%d p99_ms=%d max_ms=%d checkpoint_interval_ms=%d%n",
                speedup,
                w.events() / replaySecs,
                w.predictions(),
                w.duplicates(),
                PredictionWatcher.quantile(lat, 0.5),
                PredictionWatcher.quantile(lat, 0.99),
                lat[lat.length - 1],
                CHECKPOINTS.toMillis());
    }

    /** True when the job's REST description shows every vertex RUNNING. */
    private static boolean allRunning(JsonNode job) {
        if (job == null || !job.path("vertices").isArray() || job.path("vertices").isEmpty()) {
            return false;
        }
        for (JsonNode v : job.path("vertices")) {
            if (!v.path("status").asText().equals("RUNNING")) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode getJson(String url) {
        try (InputStream in = URI.create(url).toURL().openStream()) {
            return JSON.readTree(in);
        } catch (IOException e) {
            return null; // the cluster is starting or gone
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
