package dev.parity.tests.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.engine.EventJson;
import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.RowDecoder;
import dev.parity.features.engine.SpecFileInput;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.reference.SampleData;
import dev.parity.features.spec.BundledSpec;
import dev.parity.jobs.batch.BatchPredictionRows;
import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.jobs.kafka.EventTimeOrder;
import dev.parity.jobs.kafka.PredictionRecords;
import dev.parity.jobs.online.OnlineRequests;
import dev.parity.models.LinearBaseline;
import dev.parity.models.ModelContract;
import dev.parity.tests.Backfills;
import dev.parity.tests.kafka.CommittedRecords;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar as a user deploys it: a standalone Flink cluster of separate processes (one
 * JobManager, two TaskManagers, started from the Maven jars and configured from {@code
 * flink-conf/config.yaml}), the shaded job jar submitted with Flink's own command-line client
 * ({@code CliFrontend}, i.e. {@code flink run}), and a real Kafka broker.
 *
 * <p>Half of the sample's events go in, the job is stopped with a savepoint and resubmitted from
 * it, the rest goes in while one TaskManager is killed with {@code kill -9}; the committed
 * predictions must still be exactly the backfill's. Then the Prometheus endpoint must show the
 * project's metrics, and no log may contain the secret from the Kafka client properties file.
 */
class ClusterE2ECase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SpecPlan FLIGHTS = SpecPlan.of(BundledSpec.flights());
    private static final Path ROOT =
            SampleData.path().toAbsolutePath().getParent().getParent().getParent();
    private static final String MODEL =
            ROOT.resolve("models/bundled/flights-linear/1").toAbsolutePath().toString();
    private static final String SECRET = "s3cr3t-do-not-log-" + System.nanoTime();

    /** Kept after the run (target/ of the tests module) so a failure can be read. */
    private static final Path LOGS = Path.of("target", "cluster-e2e-logs").toAbsolutePath();

    @TempDir Path tmp;

    private final List<Process> processes = new ArrayList<>();
    private EmbeddedKafka kafka;

    @AfterEach
    void stopEverything() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void cleanLogs() throws IOException {
        if (Files.exists(LOGS)) {
            try (Stream<Path> s = Files.list(LOGS)) {
                for (Path p : s.collect(Collectors.toList())) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(LOGS);
    }

    @Test
    void submittedJarIsExactlyOnceAcrossSavepointResubmitAndTaskManagerKill() throws Exception {
        kafka = EmbeddedKafka.start();
        for (String t : List.of("events", "predictions")) {
            kafka.createTopic("e2e." + t, 2);
        }
        kafka.createTopic("e2e.deadletter", 1);
        kafka.createTopic("e2e.late", 1);
        List<String> expected = Backfills.samplePredictions(tmp.resolve("backfill"), MODEL);
        List<EventRow> events = sampleEventsInOrder();

        int rest = freePort();
        int prometheus = freePortRange(3);
        Path conf = writeConf(rest, prometheus);
        startCluster(conf, rest, 2);

        int half = events.size() / 2;
        produce(events.subList(0, half));
        String jar = jobJar();
        // Bootstrap servers and topics come from config.yaml, the model from the arguments.
        String first = flink(conf, "run", "-d", jar, "--parity.model.dir", MODEL);
        String jobId = match(first, "JobID ([0-9a-f]{32})");
        CommittedRecords.awaitAtLeast(kafka, "e2e.predictions", 10_000, Duration.ofMinutes(3));

        String stopped =
                flink(conf, "stop", "--savepointPath", tmp.resolve("sp").toUri().toString(), jobId);
        String savepoint = match(stopped, "Path: (\\S+)");
        long beforeStop = kafka.countAllCommitted("e2e.predictions");
        assertThat(beforeStop).isBetween(10_000L, (long) expected.size() - 1);

        String second = flink(conf, "run", "-d", "-s", savepoint, jar, "--parity.model.dir", MODEL);
        String jobId2 = match(second, "JobID ([0-9a-f]{32})");

        int third = half + (events.size() - half) / 3;
        produce(events.subList(half, third));
        // kill once the resubmitted job is committing, so recovery starts from its own checkpoint
        CommittedRecords.awaitAtLeast(
                kafka, "e2e.predictions", beforeStop + 1, Duration.ofMinutes(3));
        Process victim = processes.get(1);
        victim.destroyForcibly(); // SIGKILL: no goodbye to the JobManager
        assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
        produce(events.subList(third, events.size()));
        PredictionRecords.sendEndMarkers(
                kafka.bootstrapServers(), "e2e.events", 2, Instant.parse("2001-01-05T00:00:00Z"));

        List<String> streamed = waitForAllPredictions(expected.size());
        assertThat(duplicates(streamed)).as("flights predicted more than once").isEmpty();
        List<String> sorted =
                streamed.stream()
                        .sorted(Comparator.comparingLong(PredictionRecords::idOf))
                        .collect(Collectors.toList());
        assertThat(sorted).isEqualTo(expected);

        String metrics = scrape(prometheus);
        assertThat(metricTotal(metrics, "recordsScored")).isGreaterThan(0);
        assertThat(metrics).contains("modelVersionNumber");
        assertThat(metricTotal(metrics, "modelVersionNumber")).isGreaterThan(0);
        assertThat(metrics).contains("scoringLatencyMicros");
        assertThat(metrics).contains("parityDeadLetters").contains("parityLateEvents");
        // Kafka commit failures after a checkpoint are only logged by the connector; Flink's
        // committer counts them. (After the kill above the restored job re-commits transactions
        // that had already been committed, which Kafka 4 reports as fenced, so the count is not
        // zero here although nothing was lost: see README "What to watch".)
        assertThat(metrics).contains("failedCommittables");
        assertThat(metricTotal(metrics, "successfulCommittables")).isGreaterThan(0);

        flink(conf, "cancel", jobId2);
        StringBuilder allLogs = new StringBuilder();
        for (Path log : logs()) {
            String text = Files.readString(log);
            assertThat(text).as(log.toString()).doesNotContain(SECRET);
            allLogs.append(text);
        }
        // the secret did reach the Kafka clients (which print it hidden)
        assertThat(allLogs).contains("ssl.key.password = [hidden]");
    }

    /**
     * The serving jobs submitted the same way, through their cluster entry points: {@code
     * BatchPredictionJob} (attached, BATCH) writes a period's predictions and snapshots into a real
     * PostgreSQL, equal to the backfill's predictions for those flights; {@code
     * OnlinePredictionJob} (detached, unbounded) answers requests from those snapshots once each. A
     * bad option fails the submission with the command's message.
     */
    @Test
    void servingJobsRunOnTheClusterThroughTheirEntryPoints() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic("e2e.requests", 1);
        kafka.createTopic("e2e.responses", 1);
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            String url = postgres.getJdbcUrl("postgres", "postgres");
            Path backfill = tmp.resolve("backfill");
            Map<Long, String> expected = new HashMap<>();
            for (String line : Backfills.samplePredictions(backfill, MODEL)) {
                expected.put(PredictionRecords.idOf(line), line);
            }
            Map<Long, String[]> flights = inPeriod(backfill.resolve("features.csv"));
            assertThat(flights).hasSizeGreaterThan(1_000);

            int rest = freePort();
            Path conf = writeConf(rest, freePortRange(3));
            startCluster(conf, rest, 1);
            String jar = jobJar();

            String batch =
                    flink(
                            conf,
                            "run",
                            "-c",
                            "dev.parity.jobs.batch.BatchPredictionJob",
                            jar,
                            "--events",
                            SampleData.path().toAbsolutePath().toString(),
                            "--model",
                            MODEL,
                            "--jdbc-url",
                            url,
                            "--from",
                            FIRST_DAY,
                            "--to",
                            LAST_DAY);
            assertThat(batch).contains("predictions_upserted");
            Map<Long, String> stored = new HashMap<>();
            try (Connection c = postgres.getPostgresDatabase().getConnection()) {
                BatchPredictionRows.lines(c)
                        .forEach(line -> stored.put(PredictionRecords.idOf(line), line));
            }
            Map<Long, String> expectedInPeriod = new HashMap<>();
            flights.keySet().forEach(id -> expectedInPeriod.put(id, expected.get(id)));
            assertThat(stored).isEqualTo(expectedInPeriod);

            ModelContract online = ModelContract.online(FLIGHTS);
            String onlineModel =
                    LinearBaseline.register(
                            LinearBaseline.fit(backfill.resolve("features.csv"), online, "delay"),
                            online,
                            tmp.resolve("registry").toString(),
                            "flights-online",
                            "1",
                            "e2e");

            String refused =
                    flinkFailing(
                            conf,
                            "run",
                            "-c",
                            "dev.parity.jobs.online.OnlinePredictionJob",
                            jar,
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--model",
                            MODEL, // a model of the standard set: the online job refuses it
                            "--jdbc-url",
                            url);
            assertThat(refused).contains("the command failed with exit code 2");

            List<Long> asked = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps())) {
                for (Map.Entry<Long, String[]> f : flights.entrySet()) {
                    String[] v = f.getValue();
                    if (asked.size() == 500 || v[4].isEmpty()) {
                        continue; // no daily feature: that request would get an error response
                    }
                    asked.add(f.getKey());
                    producer.send(
                            new ProducerRecord<>(
                                    "e2e.requests",
                                    OnlineRequests.json(
                                            f.getKey(), v[1], v[2], Long.parseLong(v[3]), v[0])));
                }
            }
            String submitted =
                    flink(
                            conf,
                            "run",
                            "-d",
                            "-c",
                            "dev.parity.jobs.online.OnlinePredictionJob",
                            jar,
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--model",
                            onlineModel,
                            "--jdbc-url",
                            url,
                            "--requests-topic",
                            "e2e.requests",
                            "--responses-topic",
                            "e2e.responses",
                            "--checkpoint-interval",
                            "PT1S");
            String onlineJob = match(submitted, "JobID ([0-9a-f]{32})");
            CommittedRecords.awaitAtLeast(
                    kafka, "e2e.responses", asked.size(), Duration.ofMinutes(3));
            CommittedRecords.awaitQuiet(kafka, "e2e.responses", Duration.ofSeconds(3));
            Map<Long, Integer> answers = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : kafka.readAllCommitted("e2e.responses")) {
                JsonNode n = JSON.readTree(r.value());
                assertThat(n.has("error")).as(n.toString()).isFalse();
                assertThat(n.get("model").asText()).isEqualTo("flights-online");
                answers.merge(n.get("request_id").asLong(), 1, Integer::sum);
            }
            assertThat(answers.keySet()).containsExactlyInAnyOrderElementsOf(asked);
            assertThat(answers.values()).containsOnly(1);
            flink(conf, "cancel", onlineJob);
        }
    }

    private static final String FIRST_DAY = "2001-01-02";
    private static final String LAST_DAY = "2001-01-03";

    /**
     * The flights of the training file departing on {@link #FIRST_DAY}..{@link #LAST_DAY}: id ->
     * {dep_time, origin, dest, distance, origin_delay_mean_30d_daily}.
     */
    private static Map<Long, String[]> inPeriod(Path featuresCsv) throws IOException {
        List<String> lines = Files.readAllLines(featuresCsv);
        List<String> h = List.of(lines.get(0).split(",", -1));
        Map<Long, String[]> out = new java.util.TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            String dep = f[h.indexOf("dep_time")];
            String day = dep.substring(0, 10);
            if (day.compareTo(FIRST_DAY) >= 0 && day.compareTo(LAST_DAY) <= 0) {
                out.put(
                        Long.parseLong(f[h.indexOf("id")]),
                        new String[] {
                            dep,
                            f[h.indexOf("origin")],
                            f[h.indexOf("dest")],
                            f[h.indexOf("distance")],
                            f[h.indexOf("origin_delay_mean_30d_daily")]
                        });
            }
        }
        return out;
    }

    /** The sample's events in the order `parity replay` writes them. */
    private static List<EventRow> sampleEventsInOrder() throws IOException {
        List<EventRow> out = new ArrayList<>();
        EventTimeOrder order = new EventTimeOrder(out::add);
        SpecFileInput.forEachRow(
                SampleData.path().toString(),
                RowDecoder.forSource(FLIGHTS),
                r -> {
                    assertThat(r.isValid()).isTrue();
                    order.add(r.time(), r.events);
                    return true;
                });
        order.finish();
        return out;
    }

    private void produce(List<EventRow> events) throws Exception {
        EventJson json = new EventJson(FLIGHTS);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps())) {
            for (EventRow e : events) {
                producer.send(
                        new ProducerRecord<>(
                                "e2e.events",
                                Long.toString(e.id).getBytes(StandardCharsets.UTF_8),
                                json.encode(e)));
            }
            producer.flush();
        }
    }

    private Properties producerProps() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("enable.idempotence", "true");
        p.put("acks", "all");
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        return p;
    }

    /**
     * {@code flink-conf/config.yaml} with what a test host must change: ports, local directories,
     * fast failure detection, small memory, and the topics of this test. Written flat, which
     * Flink's YAML loader reads like the nested form.
     */
    private Path writeConf(int restPort, int prometheusPort) throws IOException {
        Configuration c =
                GlobalConfiguration.loadConfiguration(ROOT.resolve("flink-conf").toString());
        Map<String, String> o = new HashMap<>();
        o.put("jobmanager.rpc.port", String.valueOf(freePort()));
        o.put("rest.port", String.valueOf(restPort));
        o.put("jobmanager.memory.process.size", "1024m");
        // What bin/taskmanager.sh computes and passes as dynamic properties when it starts
        // TaskManagerRunner; started directly, the TaskManager needs them spelled out.
        o.put("taskmanager.cpu.cores", "2");
        o.put("taskmanager.memory.framework.heap.size", "128m");
        o.put("taskmanager.memory.task.heap.size", "384m");
        o.put("taskmanager.memory.framework.off-heap.size", "128m");
        o.put("taskmanager.memory.task.off-heap.size", "0m");
        o.put("taskmanager.memory.network.min", "64m");
        o.put("taskmanager.memory.network.max", "64m");
        o.put("taskmanager.memory.managed.size", "256m");
        o.put("taskmanager.memory.jvm-metaspace.size", "256m");
        o.put("taskmanager.memory.jvm-overhead.min", "192m");
        o.put("taskmanager.memory.jvm-overhead.max", "192m");
        o.put("taskmanager.numberOfTaskSlots", "2");
        o.put("heartbeat.interval", "2000");
        o.put("heartbeat.timeout", "10000");
        o.put("execution.checkpointing.interval", "2s");
        o.put("execution.checkpointing.dir", tmp.resolve("cp").toUri().toString());
        o.put("execution.checkpointing.savepoint-dir", tmp.resolve("sp").toUri().toString());
        o.put("metrics.reporter.prom.port", prometheusPort + "-" + (prometheusPort + 2));
        o.put("parity.kafka.bootstrap-servers", kafka.bootstrapServers());
        o.put("parity.kafka.group-id", "e2e");
        o.put("parity.kafka.transactional-id-prefix", "e2e");
        o.put("parity.kafka.transaction-timeout", "5min");
        o.put("parity.topics.events", "e2e.events");
        o.put("parity.topics.predictions", "e2e.predictions");
        o.put("parity.topics.deadletter", "e2e.deadletter");
        o.put("parity.topics.late", "e2e.late");
        o.put("parity.events.idleness", "10s");
        Path clientProps = tmp.resolve("kafka-client.properties");
        // A password the Kafka clients accept and never use on PLAINTEXT: it must not be logged.
        Files.writeString(clientProps, "ssl.key.password=" + SECRET + "\n");
        o.put("parity.kafka.client-properties-file", clientProps.toString());
        o.forEach(c::setString);
        c.removeKey("taskmanager.memory.process.size");
        c.removeKey("taskmanager.memory.managed.fraction");
        c.removeKey("parity.model.dir"); // from the arguments in this test
        Path dir = tmp.resolve("conf");
        Files.createDirectories(dir);
        StringBuilder yaml = new StringBuilder();
        new java.util.TreeMap<>(c.toMap())
                .forEach(
                        (k, v) ->
                                yaml.append(k)
                                        .append(": '")
                                        .append(v.replace("'", "''"))
                                        .append("'\n"));
        Files.writeString(dir.resolve("config.yaml"), yaml);
        Files.writeString(
                dir.resolve("log4j.properties"),
                "rootLogger.level = INFO\n"
                        + "rootLogger.appenderRef.file.ref = File\n"
                        + "appender.file.name = File\n"
                        + "appender.file.type = FILE\n"
                        + "appender.file.fileName = ${sys:log.file}\n"
                        + "appender.file.layout.type = PatternLayout\n"
                        + "appender.file.layout.pattern = %d %-5p %c{1} - %m%n\n");
        return dir;
    }

    /** A JobManager and {@code taskManagers} TaskManager processes, once all have registered. */
    private void startCluster(Path conf, int restPort, int taskManagers) throws IOException {
        String cp = clusterClasspath();
        processes.add(
                start(
                        "jobmanager",
                        cp,
                        conf,
                        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"));
        for (int i = 1; i <= taskManagers; i++) {
            processes.add(
                    start(
                            "taskmanager-" + i,
                            cp,
                            conf,
                            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"));
        }
        waitForTaskManagers(restPort, taskManagers);
    }

    /** Flink's runtime from this build's classpath, without Parity or anything the jar brings. */
    private static String clusterClasspath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(
                        e ->
                                !e.contains("parity-")
                                        && !e.endsWith("classes")
                                        && !e.contains("kafka")
                                        && !e.contains("onnxruntime")
                                        && !e.contains("tribuo")
                                        && !e.contains("picocli")
                                        && !e.contains("ejml")
                                        && !e.contains("junit")
                                        && !e.contains("assertj"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** What Flink's default {@code env.java.opts.all} opens for its reflection on Java 17. */
    private static final List<String> JAVA_OPENS =
            Stream.of(
                            "java.base/java.util",
                            "java.base/java.lang",
                            "java.base/java.lang.reflect",
                            "java.base/java.net",
                            "java.base/java.io",
                            "java.base/java.nio",
                            "java.base/sun.nio.ch",
                            "java.base/java.text",
                            "java.base/java.time",
                            "java.base/java.util.concurrent",
                            "java.base/java.util.concurrent.atomic",
                            "java.base/java.util.concurrent.locks")
                    .map(p -> "--add-opens=" + p + "=ALL-UNNAMED")
                    .collect(Collectors.toList());

    private Process start(String name, String cp, Path conf, String main) throws IOException {
        Path log = LOGS.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx600m"));
        cmd.addAll(JAVA_OPENS);
        cmd.addAll(
                List.of(
                        "-Dlog.file=" + log,
                        "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri(),
                        "-cp",
                        cp,
                        main,
                        "--configDir",
                        conf.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.redirectOutput(LOGS.resolve(name + ".out").toFile());
        return pb.start();
    }

    /** Runs {@code flink <args>} (CliFrontend) and returns its output; fails on non-zero exit. */
    private String flink(Path conf, String... args) throws Exception {
        FlinkRun r = runFlink(conf, args);
        assertThat(r.exit).as("flink " + String.join(" ", args) + ":\n" + r.output).isZero();
        return r.output;
    }

    /** Runs {@code flink <args>} that must fail; returns its output. */
    private String flinkFailing(Path conf, String... args) throws Exception {
        FlinkRun r = runFlink(conf, args);
        assertThat(r.exit).as("flink " + String.join(" ", args) + ":\n" + r.output).isNotZero();
        return r.output;
    }

    private record FlinkRun(int exit, String output) {}

    private FlinkRun runFlink(Path conf, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin());
        cmd.add("-Xmx300m");
        cmd.addAll(JAVA_OPENS);
        cmd.add("-Dlog.file=" + LOGS.resolve("client-" + System.nanoTime() + ".log"));
        cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        cmd.add("-cp");
        cmd.add(clusterClasspath());
        cmd.add("org.apache.flink.client.cli.CliFrontend");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FLINK_CONF_DIR", conf.toString());
        Path out = LOGS.resolve("flink-" + args[0] + "-" + System.nanoTime() + ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("flink " + args[0] + " finished").isTrue();
        return new FlinkRun(p.exitValue(), Files.readString(out));
    }

    private static String match(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("'" + regex + "' in:\n" + text).isTrue();
        return m.group(1);
    }

    private static String jobJar() throws IOException {
        try (Stream<Path> s = Files.list(ROOT.resolve("jobs/target"))) {
            return s.filter(p -> p.getFileName().toString().endsWith("-job.jar"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no job jar: run mvn package first"))
                    .toString();
        }
    }

    private static void waitForTaskManagers(int rest, int count) {
        await("the cluster up with " + count + " TaskManagers")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> {
                            JsonNode o = getJson("http://localhost:" + rest + "/overview");
                            return o != null && o.path("taskmanagers").asInt() >= count;
                        });
    }

    /** Sample-flight predictions as backfill lines, once all are committed and no more come. */
    private List<String> waitForAllPredictions(int expected) {
        CommittedRecords.awaitAtLeast(kafka, "e2e.predictions", expected, Duration.ofMinutes(4));
        CommittedRecords.awaitQuiet(kafka, "e2e.predictions", Duration.ofSeconds(3));
        List<String> lines = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAllCommitted("e2e.predictions")) {
            String line = PredictionRecords.csvLine(r.value());
            if (PredictionRecords.idOf(line) < PredictionRecords.MARKER_ID) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static List<Long> duplicates(List<String> lines) {
        Map<Long, Integer> seen = new HashMap<>();
        lines.forEach(l -> seen.merge(PredictionRecords.idOf(l), 1, Integer::sum));
        return seen.entrySet().stream()
                .filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey)
                .collect(Collectors.toList());
    }

    /** Every Prometheus endpoint of the cluster (JobManager and TaskManagers), concatenated. */
    private static String scrape(int firstPort) {
        StringBuilder all = new StringBuilder();
        for (int port = firstPort; port <= firstPort + 2; port++) {
            try (InputStream in =
                    URI.create("http://localhost:" + port + "/metrics").toURL().openStream()) {
                all.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the killed TaskManager's port is gone
            }
        }
        return all.toString();
    }

    /** Sum of every sample of the metrics whose name ends with {@code suffix}. */
    private static double metricTotal(String metrics, String suffix) {
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int brace = line.indexOf('{');
            String name =
                    brace < 0 ? line.substring(0, line.indexOf(' ')) : line.substring(0, brace);
            if (name.endsWith(suffix)) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private List<Path> logs() throws IOException {
        try (Stream<Path> s = Files.list(LOGS)) {
            return s.collect(Collectors.toList());
        }
    }

    private static JsonNode getJson(String url) {
        try (InputStream in = URI.create(url).toURL().openStream()) {
            return JSON.readTree(in);
        } catch (IOException e) {
            return null;
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The first of {@code n} consecutive free ports. */
    private static int freePortRange(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = freePort();
            boolean free = true;
            for (int p = first + 1; p < first + n && free; p++) {
                try (ServerSocket s = new ServerSocket(p)) {
                    // free
                } catch (IOException busy) {
                    free = false;
                }
            }
            if (free && first + n < 65535) {
                return first;
            }
        }
        throw new IOException("no " + n + " consecutive free ports");
    }
}
