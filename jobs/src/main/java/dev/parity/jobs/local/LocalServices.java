package dev.parity.jobs.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * The process behind {@code parity local up}: a single-node KRaft broker (Kafka's own server
 * classes, the artifacts the tests use) and a PostgreSQL server (zonky's embedded binaries), both
 * on localhost, their data in the data directory so that they keep it between runs. It creates the
 * topics, the {@code parity} role and database, then writes {@link #STATE} and waits until it is
 * stopped (SIGTERM from {@code parity local down}), when both servers shut down cleanly.
 *
 * <p>Run by {@link LocalCommand}, never by hand: {@code LocalServices <data-dir> <kafka-port>
 * <controller-port> <postgres-port> <password> <topic:partitions>...}.
 */
public final class LocalServices {
    /** Written when every service is up; holds the pid and the addresses. Deleted at shutdown. */
    static final String STATE = "local.properties";

    static final String DATABASE = "parity";
    static final String USER = "parity";

    private LocalServices() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int kafkaPort = Integer.parseInt(args[1]);
        int controllerPort = Integer.parseInt(args[2]);
        int postgresPort = Integer.parseInt(args[3]);
        String password = args[4];
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (int i = 5; i < args.length; i++) {
            int colon = args[i].lastIndexOf(':');
            topics.put(args[i].substring(0, colon), Integer.parseInt(args[i].substring(colon + 1)));
        }
        PrintStream log = System.out;

        EmbeddedPostgres postgres =
                EmbeddedPostgres.builder()
                        .setPort(postgresPort)
                        .setDataDirectory(dir.resolve("postgres"))
                        .setCleanDataDirectory(false)
                        .start();
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        Files.deleteIfExists(dir.resolve(STATE));
                                        postgres.close();
                                    } catch (IOException e) {
                                        e.printStackTrace();
                                    }
                                },
                                "parity-local-shutdown"));
        preparePostgres(postgres, password);
        log.println("postgres: up on port " + postgresPort);

        Path config = kafkaConfig(dir, kafkaPort, controllerPort);
        Path logs = dir.resolve("kafka").resolve("logs");
        if (!Files.exists(logs.resolve("meta.properties"))) {
            int code =
                    kafka.tools.StorageTool.execute(
                            new String[] {
                                "format",
                                "--cluster-id",
                                Uuid.randomUuid().toString(),
                                "--config",
                                config.toString()
                            },
                            log);
            if (code != 0) {
                throw new IllegalStateException("formatting the Kafka log dir failed: " + code);
            }
        }
        // Kafka's main blocks until shutdown and installs its own shutdown hook
        Thread broker = new Thread(() -> kafka.Kafka.main(new String[] {config.toString()}));
        broker.setName("parity-local-kafka");
        broker.start();
        String servers = "localhost:" + kafkaPort;
        createTopics(servers, topics);
        log.println("kafka: up on " + servers + ", topics " + topics);

        Properties state = new Properties();
        state.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
        state.setProperty("kafka", servers);
        state.setProperty("postgres", jdbcUrl(postgresPort));
        Path tmp = dir.resolve(STATE + ".tmp");
        try (var out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            state.store(out, "parity local up");
        }
        Files.move(tmp, dir.resolve(STATE), StandardCopyOption.ATOMIC_MOVE);
        broker.join();
    }

    static String jdbcUrl(int port) {
        return "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
    }

    private static void preparePostgres(EmbeddedPostgres postgres, String password)
            throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            boolean role;
            try (ResultSet r = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = 'parity'")) {
                role = r.next();
            }
            // the password is ours (random hex), so it needs no escaping
            s.execute(
                    (role ? "ALTER ROLE " : "CREATE ROLE ")
                            + USER
                            + " LOGIN PASSWORD '"
                            + password
                            + "'");
            boolean database;
            try (ResultSet r =
                    s.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'parity'")) {
                database = r.next();
            }
            if (!database) {
                s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
            }
        }
    }

    private static Path kafkaConfig(Path dir, int port, int controllerPort) throws IOException {
        Path kafkaDir = dir.resolve("kafka");
        Files.createDirectories(kafkaDir);
        List<String> lines = new ArrayList<>();
        lines.add("# written by parity local up at every start");
        lines.add("process.roles=broker,controller");
        lines.add("node.id=1");
        lines.add("controller.quorum.voters=1@localhost:" + controllerPort);
        lines.add(
                "listeners=PLAINTEXT://localhost:"
                        + port
                        + ",CONTROLLER://localhost:"
                        + controllerPort);
        lines.add("advertised.listeners=PLAINTEXT://localhost:" + port);
        lines.add("controller.listener.names=CONTROLLER");
        lines.add("listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        lines.add("log.dirs=" + kafkaDir.resolve("logs").toAbsolutePath());
        lines.add("num.partitions=1");
        lines.add("offsets.topic.replication.factor=1");
        lines.add("transaction.state.log.replication.factor=1");
        lines.add("transaction.state.log.min.isr=1");
        lines.add("share.coordinator.state.topic.replication.factor=1");
        lines.add("share.coordinator.state.topic.min.isr=1");
        lines.add("group.initial.rebalance.delay.ms=0");
        // as on a production cluster: a typo in a topic name fails instead of creating a topic
        lines.add("auto.create.topics.enable=false");
        Path config = kafkaDir.resolve("server.properties");
        Files.write(config, lines, StandardCharsets.UTF_8);
        return config;
    }

    private static void createTopics(String servers, Map<String, Integer> topics) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", servers);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = null;
            while (existing == null) {
                try {
                    existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the broker did not start in 120 s", e);
                    }
                    Thread.sleep(500);
                }
            }
            List<NewTopic> missing = new ArrayList<>();
            for (Map.Entry<String, Integer> t : topics.entrySet()) {
                if (!existing.contains(t.getKey())) {
                    missing.add(new NewTopic(t.getKey(), t.getValue(), (short) 1));
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
            }
        }
    }
}
