package dev.parity.tests.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.reference.FlightRow;
import dev.parity.features.reference.SampleData;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new user after the demo: {@code ./parity local up}, then the README's streaming, batch and
 * online commands exactly as the README prints them (read from it; only the ports are swapped for
 * free ones, so that a broker or database already on this machine does not matter), then {@code
 * ./parity local down}, after which nothing of it runs.
 */
class LocalServicesE2ECase {
    private static final Path ROOT = SampleData.path().getParent().getParent().getParent();
    private static final Duration WAIT = Duration.ofMinutes(4);

    @TempDir Path work;

    private int kafkaPort;
    private int postgresPort;

    @Test
    void theReadmesCommandsRunAgainstLocalServicesAndNothingIsLeftRunning() throws Exception {
        kafkaPort = freePort();
        postgresPort = freePort();
        // the README's paths are relative to the checkout
        Files.createSymbolicLink(work.resolve("data"), ROOT.resolve("data"));
        Files.createSymbolicLink(work.resolve("models"), ROOT.resolve("models"));
        List<FlightRow> rows = SampleData.rows();

        List<String> up = new ArrayList<>(readme("Local services").get(0));
        up.addAll(
                List.of(
                        "--kafka-port",
                        Integer.toString(kafkaPort),
                        "--postgres-port",
                        Integer.toString(postgresPort)));
        Result started = run(up);
        assertThat(started.exit).as(started.out).isZero();
        assertThat(started.out)
                .contains("local: up", "--bootstrap-servers localhost:" + kafkaPort)
                .contains("--jdbc-url jdbc:postgresql://localhost:" + postgresPort + "/parity");
        try {
            streaming(rows);
            batch(rows);
            online(rows);
        } finally {
            Result down = run(List.of("./parity", "local", "down"));
            assertThat(down.exit).as(down.out).isZero();
            assertThat(down.out).contains("local: stopped");
        }
        Result status = run(List.of("./parity", "local", "status"));
        assertThat(status.exit).as(status.out).isEqualTo(1);
        assertThat(status.out).contains("local: not running");
        String dir = work.toRealPath().toString();
        assertThat(
                        ProcessHandle.allProcesses()
                                .filter(
                                        h ->
                                                h.info()
                                                        .commandLine()
                                                        .map(c -> c.contains(dir))
                                                        .orElse(false)))
                .as("processes of this test's local services")
                .isEmpty();
        for (int port : new int[] {kafkaPort, postgresPort}) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(s.getLocalPort()).isEqualTo(port); // free again
            }
        }
    }

    private void streaming(List<FlightRow> rows) throws Exception {
        List<List<String>> commands = readme("Streaming");
        Result replay = run(commands.get(0));
        assertThat(replay.exit).as(replay.out).isZero();
        assertThat(replay.out)
                .contains(String.format("%,d acknowledged", 2L * rows.size()))
                .contains("2 end-of-replay markers");

        Process stream = start(commands.get(1), "stream");
        try {
            // the end markers let the job predict every flight of the file
            Set<Long> ids = new HashSet<>();
            long refused =
                    consume(
                            "flights.predictions",
                            rows.size(),
                            record -> {
                                long id =
                                        Long.parseLong(
                                                new String(record.key(), StandardCharsets.UTF_8));
                                return id < 900_000_000L && ids.add(id);
                            });
            Set<Long> sample = new HashSet<>();
            rows.forEach(r -> sample.add(r.id));
            assertThat(ids).isEqualTo(sample);
            assertThat(refused)
                    .as("duplicates and markers read before the last flight")
                    .isLessThanOrEqualTo(2);
        } finally {
            stop(stream);
        }
    }

    private void batch(List<FlightRow> rows) throws Exception {
        Result r = run(readme("Batch prediction").get(0));
        assertThat(r.exit).as(r.out).isZero();
        long expected =
                rows.stream()
                        .map(f -> Instant.ofEpochMilli(f.depTime).atOffset(ZoneOffset.UTC))
                        .map(t -> t.toLocalDate())
                        .filter(
                                d ->
                                        !d.isBefore(LocalDate.of(2001, 1, 2))
                                                && !d.isAfter(LocalDate.of(2001, 1, 3)))
                        .count();
        assertThat(expected).isPositive();
        assertThat(count("SELECT count(*) FROM batch_predictions")).isEqualTo(expected);
    }

    private void online(List<FlightRow> rows) throws Exception {
        List<List<String>> commands = readme("Online prediction");
        int n = commands.size();
        for (List<String> c : commands.subList(0, n - 2)) {
            Result r = run(c);
            assertThat(r.exit).as(String.join(" ", c) + "\n" + r.out).isZero();
        }
        assertThat(count("SELECT count(*) FROM feature_snapshots")).isPositive();
        Process online = start(commands.get(n - 2), "online");
        try {
            // the README's request, then three flights of the sample through the same client
            List<String> request = new ArrayList<>(commands.get(n - 1));
            assertThat(request).contains("request");
            request.addAll(List.of("--bootstrap-servers", "localhost:9092"));
            Result readme = run(request);
            assertThat(readme.exit).as(readme.out).isZero();
            assertThat(readme.out)
                    .contains("\"request_id\":17", "\"prediction\":")
                    .doesNotContain("\"error\"");

            List<FlightRow> asked = rows.subList(20_000, 20_003);
            Path lines = work.resolve("requests.jsonl");
            List<String> json = new ArrayList<>();
            for (FlightRow f : asked) {
                json.add(
                        new String(
                                FlightEvents.JSON.encode(FlightEvents.departure(f)),
                                StandardCharsets.UTF_8));
            }
            Files.write(lines, json, StandardCharsets.UTF_8);
            Result three =
                    run(
                            List.of(
                                    "./parity",
                                    "request",
                                    "--json-lines",
                                    lines.toString(),
                                    "--bootstrap-servers",
                                    "localhost:9092"));
            assertThat(three.exit).as(three.out).isZero();
            for (FlightRow f : asked) {
                assertThat(three.out).contains("\"request_id\":" + f.id + ",");
            }
            assertThat(three.out).doesNotContain("\"error\"");

            Result bad = run(List.of("./parity", "request", "origin=LAX", "distance=far"));
            assertThat(bad.exit).isEqualTo(2);
            assertThat(bad.out.strip())
                    .isEqualTo("error: 'distance': expected a whole number, got 'far'");
        } finally {
            stop(online);
        }
    }

    /**
     * Reads {@code topic} committed, from the start, until {@code wanted} records were accepted (or
     * {@link #WAIT} passed); returns how many {@code accept} refused.
     */
    private long consume(
            String topic,
            long wanted,
            java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> accept) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long accepted = 0;
        long refused = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            while (accepted < wanted && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (accept.test(r)) {
                        accepted++;
                    } else {
                        refused++;
                    }
                }
            }
        }
        assertThat(accepted).as("committed records on " + topic).isGreaterThanOrEqualTo(wanted);
        return refused;
    }

    private long count(String sql) throws Exception {
        String password =
                Files.readString(work.resolve(".parity-local/pw.txt"), StandardCharsets.UTF_8)
                        .strip();
        try (Connection c =
                        DriverManager.getConnection(
                                "jdbc:postgresql://localhost:" + postgresPort + "/parity",
                                "parity",
                                password);
                ResultSet r = c.createStatement().executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private String servers() {
        return "localhost:" + kafkaPort;
    }

    /**
     * The commands of the first bash block after the README heading {@code ### heading}: lines
     * joined at a trailing backslash, comments dropped, split at spaces.
     */
    private static List<List<String>> readme(String heading) throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        int i = lines.indexOf("### " + heading);
        assertThat(i).as("README heading ### " + heading).isNotNegative();
        while (!lines.get(i).equals("```bash")) {
            i++;
        }
        List<List<String>> commands = new ArrayList<>();
        StringBuilder command = new StringBuilder();
        for (i++; !lines.get(i).equals("```"); i++) {
            String line = lines.get(i).replaceAll("\\s+#.*$", "").strip();
            boolean continued = line.endsWith("\\");
            command.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continued) {
                commands.add(List.of(command.toString().strip().split("\\s+")));
                command.setLength(0);
            }
        }
        return commands;
    }

    /** {@code command} with the README's ports swapped for this test's. */
    private List<String> ported(List<String> command) {
        assertThat(command.get(0)).isEqualTo("./parity");
        List<String> out = new ArrayList<>();
        out.add(ROOT.resolve("parity").toString());
        for (String a : command.subList(1, command.size())) {
            out.add(
                    a.replace("localhost:9092", "localhost:" + kafkaPort)
                            .replace("localhost:5432", "localhost:" + postgresPort));
        }
        return out;
    }

    private ProcessBuilder builder(List<String> command, Path log) {
        ProcessBuilder pb =
                new ProcessBuilder(ported(command))
                        .directory(work.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        pb.environment().put("PARITY_SKIP_BUILD", "1");
        pb.environment().put("PARITY_JAVA_OPTS", "-Xmx1g");
        return pb;
    }

    private Result run(List<String> command) throws IOException, InterruptedException {
        Path log = work.resolve("run-" + System.nanoTime() + ".log");
        Process p = builder(command, log).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 5 minutes");
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private Process start(List<String> command, String name) throws IOException {
        return builder(command, work.resolve(name + ".log")).start();
    }

    /** Stops a job as a user's Ctrl-C would, and waits for it. */
    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private record Result(int exit, String out) {}
}
