package dev.parity.tests.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.ParityCli;
import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.jobs.online.OnlineRequests;
import dev.parity.jobs.streaming.StreamingOptions;
import dev.parity.jobs.streaming.StreamingPredictionJob;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The three prediction modes on the same June flights, each through its real job, against the
 * actual delays (issue 7): freshness (MAE of online vs streaming vs batch predictions) and the cost
 * of batch prediction (share of precomputed predictions nobody asked about).
 *
 * <ol>
 *   <li>A request log: each June flight of the training file is asked about with probability {@code
 *       share} (seeded), as its departure event {@code {id, time, origin, dest, distance}}, in
 *       departure order; also written as a CSV for {@code batch-cost}.
 *   <li>Batch: {@code parity batch-predict} of June with the teacher (standard features, point in
 *       time) into an embedded PostgreSQL; it also writes June's daily snapshots.
 *   <li>Online: {@code parity online --bounded} answers the logged requests from those snapshots
 *       with the model trained on the flights spec's online inputs.
 *   <li>Streaming: the whole events file replayed into an embedded broker and the streaming job
 *       (heap state, exactly once, bounded at the backlog) with the teacher.
 *   <li>MAE of each mode on the flights every mode answered; whether batch and streaming agree bit
 *       for bit; then {@code parity batch-cost} on the request log.
 * </ol>
 *
 * <pre>
 * tests/bench/run.sh PredictionModesBenchmark EVENTS FEATURES_CSV TEACHER_DIR ONLINE_MODEL_DIR
 *     [share=0.2] [seed=7]
 * </pre>
 */
public final class PredictionModesBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PredictionModesBenchmark() {}

    /** A June flight that was asked about, with its actual delay. */
    private record Asked(
            long id, String origin, String dest, long distance, String depTime, float delay) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println(
                    "usage: PredictionModesBenchmark EVENTS FEATURES_CSV TEACHER_DIR"
                            + " ONLINE_MODEL_DIR [share=0.2] [seed=7]");
            System.exit(2);
        }
        String events = args[0];
        Path features = Path.of(args[1]);
        String teacher = args[2];
        String onlineModel = args[3];
        double share = args.length > 4 ? Double.parseDouble(args[4]) : 0.2;
        long seed = args.length > 5 ? Long.parseLong(args[5]) : 7;
        Path tmp = Files.createTempDirectory("parity-modes");

        ModelManifest teacherManifest =
                ModelRegistry.load(
                                teacher,
                                ModelGate.builder().build(),
                                ModelContract.of(SpecPlan.of(BundledSpec.flights())))
                        .manifest();
        List<Asked> asked = requestLog(features, share, seed);
        java.util.Set<Long> askedIds = new java.util.HashSet<>();
        asked.forEach(a -> askedIds.add(a.id));
        Path logCsv = tmp.resolve("requests.csv");
        try (BufferedWriter w = Files.newBufferedWriter(logCsv)) {
            w.write("request_id,id,dep_time\n");
            for (Asked a : asked) {
                w.write(a.id + "," + a.id + "," + a.depTime + "\n");
            }
        }
        System.out.printf(
                Locale.ROOT,
                "request log: %,d June flights asked about (share %.2f, seed %d) -> %s%n",
                asked.size(),
                share,
                seed,
                logCsv);

        try (EmbeddedPostgres postgres = EmbeddedPostgres.start();
                EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String url = postgres.getJdbcUrl("postgres", "postgres");

            // 1. batch
            long t0 = System.nanoTime();
            check(
                    ParityCli.execute(
                            "batch-predict",
                            "--events",
                            events,
                            "--model",
                            teacher,
                            "--jdbc-url",
                            url,
                            "--from",
                            "2001-06-01",
                            "--to",
                            "2001-06-30",
                            "--progress-interval",
                            "PT30S"));
            System.out.printf(
                    Locale.ROOT,
                    "RESULT batch-predict June: %.1f s%n",
                    (System.nanoTime() - t0) / 1e9);
            Map<Long, Float> batch = new HashMap<>();
            try (Connection c = postgres.getPostgresDatabase().getConnection();
                    PreparedStatement ps =
                            c.prepareStatement(
                                    "SELECT id, prediction FROM batch_predictions"
                                            + " WHERE model = ? AND version = ?")) {
                ps.setString(1, teacherManifest.name);
                ps.setString(2, teacherManifest.version);
                ps.setFetchSize(10_000);
                c.setAutoCommit(false);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        batch.put(rs.getLong(1), rs.getFloat(2));
                    }
                }
            }

            // 2. online
            kafka.createTopic("modes.requests", 1);
            kafka.createTopic("modes.responses", 1);
            sendRequests(kafka, asked);
            t0 = System.nanoTime();
            check(
                    ParityCli.execute(
                            "online",
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--model",
                            onlineModel,
                            "--jdbc-url",
                            url,
                            "--requests-topic",
                            "modes.requests",
                            "--responses-topic",
                            "modes.responses",
                            "--bounded",
                            "--checkpoint-interval",
                            "PT5S"));
            double onlineSeconds = (System.nanoTime() - t0) / 1e9;
            Map<Long, Float> online = new HashMap<>();
            long[] onlineErrors = {0};
            kafka.forEachCommitted(
                    "modes.responses",
                    Duration.ofMinutes(5),
                    r -> {
                        JsonNode n = read(r.value());
                        if (n.has("error")) {
                            onlineErrors[0]++;
                        } else {
                            online.put(
                                    n.get("request_id").asLong(), n.get("prediction").floatValue());
                        }
                    });
            System.out.printf(
                    Locale.ROOT,
                    "RESULT online: %,d responses, %,d error responses, %.1f s (%.0f requests/s)%n",
                    online.size(),
                    onlineErrors[0],
                    onlineSeconds,
                    asked.size() / onlineSeconds);

            // 3. streaming
            kafka.createTopic("modes.events", 2);
            for (String t : List.of("predictions", "deadletter", "late")) {
                kafka.createTopic("modes." + t, t.equals("predictions") ? 2 : 1);
            }
            t0 = System.nanoTime();
            check(
                    ParityCli.execute(
                            "replay",
                            "--events",
                            events,
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--topic",
                            "modes.events",
                            "--progress-interval-ms",
                            "30000"));
            System.out.printf(
                    Locale.ROOT,
                    "events replayed into Kafka in %.1f s%n",
                    (System.nanoTime() - t0) / 1e9);
            Configuration conf = LocalFlink.configuration(RuntimeExecutionMode.STREAMING, true);
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(10));
            conf.set(
                    CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    tmp.resolve("checkpoints").toUri().toString());
            conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
            conf.set(StreamingOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            conf.set(StreamingOptions.MODEL_DIR, teacher);
            conf.set(StreamingOptions.GROUP_ID, "modes");
            conf.set(StreamingOptions.TRANSACTIONAL_ID_PREFIX, "modes");
            conf.set(StreamingOptions.EVENTS_TOPIC, "modes.events");
            conf.set(StreamingOptions.PREDICTIONS_TOPIC, "modes.predictions");
            conf.set(StreamingOptions.DEADLETTER_TOPIC, "modes.deadletter");
            conf.set(StreamingOptions.LATE_TOPIC, "modes.late");
            conf.set(StreamingOptions.BOUNDED, true);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(2);
            StreamingPredictionJob.fromConfig(conf).build(env);
            t0 = System.nanoTime();
            env.execute("modes-streaming");
            double streamingSeconds = (System.nanoTime() - t0) / 1e9;
            Map<Long, Float> streaming = new HashMap<>();
            long[] streamed = {0};
            kafka.forEachCommitted(
                    "modes.predictions",
                    Duration.ofMinutes(10),
                    r -> {
                        streamed[0]++;
                        JsonNode n = read(r.value());
                        long id = n.get("id").asLong();
                        if (askedIds.contains(id)) {
                            streaming.put(id, n.get("prediction").floatValue());
                        }
                    });
            System.out.printf(
                    Locale.ROOT,
                    "RESULT streaming: %,d predictions committed in %.1f s%n",
                    streamed[0],
                    streamingSeconds);

            // 4. freshness
            if (!compare(asked, batch, online, streaming)) {
                throw new IllegalStateException(
                        "batch and streaming predictions differ, or no flight was answered by"
                                + " every mode");
            }

            // 5. cost of batch prediction
            check(
                    ParityCli.execute(
                            "batch-cost",
                            "--requests",
                            logCsv.toString(),
                            "--jdbc-url",
                            url,
                            "--model-name",
                            teacherManifest.name,
                            "--model-version",
                            teacherManifest.version));
        }
        System.exit(0);
    }

    /** Seeded Bernoulli sample of the June rows of the training file, in file (time) order. */
    private static List<Asked> requestLog(Path features, double share, long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Asked> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(features, StandardCharsets.UTF_8)) {
            List<String> h = List.of(in.readLine().split(",", -1));
            int id = h.indexOf("id");
            int dep = h.indexOf("dep_time");
            int origin = h.indexOf("origin");
            int dest = h.indexOf("dest");
            int distance = h.indexOf("distance");
            int delay = h.indexOf("delay");
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split(",", -1);
                if (!f[dep].startsWith("2001-06") || f[delay].isEmpty()) {
                    continue;
                }
                if (rnd.nextDouble() < share) {
                    out.add(
                            new Asked(
                                    Long.parseLong(f[id]),
                                    f[origin],
                                    f[dest],
                                    Long.parseLong(f[distance]),
                                    f[dep],
                                    Float.parseFloat(f[delay])));
                }
            }
        }
        return out;
    }

    private static void sendRequests(EmbeddedKafka kafka, List<Asked> asked) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("linger.ms", "20");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (Asked a : asked) {
                producer.send(
                        new ProducerRecord<>(
                                "modes.requests",
                                OnlineRequests.json(
                                        a.id, a.origin, a.dest, a.distance, a.depTime)));
            }
            producer.flush();
        }
    }

    /** Prints the MAE of each mode; true when some flights compared and batch == streaming. */
    private static boolean compare(
            List<Asked> asked,
            Map<Long, Float> batch,
            Map<Long, Float> online,
            Map<Long, Float> streaming) {
        long n = 0;
        long identical = 0;
        double onlineAbs = 0;
        double streamingAbs = 0;
        double batchAbs = 0;
        long missing = 0;
        for (Asked a : asked) {
            Float b = batch.get(a.id);
            Float o = online.get(a.id);
            Float s = streaming.get(a.id);
            if (b == null || o == null || s == null) {
                missing++;
                continue;
            }
            n++;
            onlineAbs += Math.abs(o - a.delay);
            streamingAbs += Math.abs(s - a.delay);
            batchAbs += Math.abs(b - a.delay);
            if (Float.floatToIntBits(b) == Float.floatToIntBits(s)) {
                identical++;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "RESULT freshness on %,d June flights answered by every mode (%,d not answered by"
                        + " all): MAE online %.3f, streaming %.3f, batch %.3f min;"
                        + " batch == streaming bit for bit for %,d of %,d%n",
                n,
                missing,
                onlineAbs / n,
                streamingAbs / n,
                batchAbs / n,
                identical,
                n);
        return n > 0 && identical == n;
    }

    private static JsonNode read(byte[] v) {
        try {
            return JSON.readTree(v);
        } catch (Exception e) {
            throw new IllegalStateException("a record that is not JSON", e);
        }
    }

    private static void check(int exit) {
        if (exit != 0) {
            throw new IllegalStateException("command failed with exit code " + exit);
        }
    }
}
