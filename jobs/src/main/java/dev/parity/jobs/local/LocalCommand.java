package dev.parity.jobs.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parity local up|down|status}: a Kafka broker and a PostgreSQL server on this machine, for
 * the README's streaming, batch and online commands. They run in one background process ({@link
 * LocalServices}) that outlives the command; {@code down} stops it.
 */
@Command(
        name = "local",
        mixinStandardHelpOptions = true,
        description =
                "Local services for trying the streaming, batch and online commands: a"
                        + " single-node KRaft Kafka broker and a PostgreSQL server on localhost,"
                        + " data kept in --data-dir between runs.",
        subcommands = {LocalCommand.Up.class, LocalCommand.Down.class, LocalCommand.Status.class})
public final class LocalCommand implements Callable<Integer> {
    static final String DEFAULT_DIR = ".parity-local";
    private static final String PID = "pid";
    private static final String LOG = "services.log";
    private static final String PASSWORD = "pw.txt";

    /** The topics the flights commands use, with their partitions. */
    static final Map<String, Integer> FLIGHTS_TOPICS = new LinkedHashMap<>();

    static {
        FLIGHTS_TOPICS.put("flights.events", 2);
        FLIGHTS_TOPICS.put("flights.predictions", 2);
        FLIGHTS_TOPICS.put("flights.deadletter", 1);
        FLIGHTS_TOPICS.put("flights.late", 1);
        FLIGHTS_TOPICS.put("flights.models", 1);
        FLIGHTS_TOPICS.put("flights.requests", 1);
        FLIGHTS_TOPICS.put("flights.responses", 1);
    }

    @Override
    public Integer call() {
        System.err.println(
                "error: local: name what to do: up, down or status (see parity local --help)");
        return 2;
    }

    abstract static class DirOption {
        @Option(
                names = "--data-dir",
                paramLabel = "DIR",
                description =
                        "Where the services keep their data, pid and log (default: ${DEFAULT-VALUE}).",
                defaultValue = DEFAULT_DIR)
        Path dir;
    }

    @Command(
            name = "up",
            mixinStandardHelpOptions = true,
            description =
                    "Starts the broker and the database in the background, creates the flights"
                            + " topics (and any --topic), the 'parity' database and role, and"
                            + " prints how to connect.")
    static final class Up extends DirOption implements Callable<Integer> {
        @Option(
                names = "--kafka-port",
                paramLabel = "PORT",
                description = "The broker's port on localhost (default: ${DEFAULT-VALUE}).",
                defaultValue = "9092")
        int kafkaPort;

        @Option(
                names = "--postgres-port",
                paramLabel = "PORT",
                description = "PostgreSQL's port on localhost (default: ${DEFAULT-VALUE}).",
                defaultValue = "5432")
        int postgresPort;

        @Option(
                names = "--topic",
                paramLabel = "NAME:PARTITIONS",
                description =
                        "Another topic to create, e.g. iam.events:2 (repeatable); the flights"
                                + " topics are always created.")
        List<String> topics = new ArrayList<>();

        @Option(
                names = "--timeout-seconds",
                paramLabel = "S",
                description =
                        "How long to wait for the services to start (default: ${DEFAULT-VALUE}).",
                defaultValue = "180")
        int timeoutSeconds;

        @Override
        public Integer call() throws Exception {
            Map<String, Integer> wanted = new LinkedHashMap<>(FLIGHTS_TOPICS);
            for (String t : topics) {
                int colon = t.lastIndexOf(':');
                int partitions;
                try {
                    partitions = colon < 1 ? -1 : Integer.parseInt(t.substring(colon + 1));
                } catch (NumberFormatException e) {
                    partitions = -1;
                }
                if (partitions < 1 || partitions > 1000) {
                    throw new IllegalArgumentException(
                            "--topic " + t + ": expected NAME:PARTITIONS, e.g. iam.events:2");
                }
                wanted.put(t.substring(0, colon), partitions);
            }
            Optional<ProcessHandle> running = running(dir);
            if (running.isPresent()) {
                System.out.println(
                        "local: already running (pid " + running.get().pid() + ", " + dir + ")");
                return new Status().show(dir);
            }
            checkFree("--kafka-port", kafkaPort);
            checkFree("--postgres-port", postgresPort);
            Files.createDirectories(dir);
            Path passwordFile = dir.resolve(PASSWORD);
            if (!Files.exists(passwordFile)) {
                byte[] secret = new byte[16];
                new SecureRandom().nextBytes(secret);
                Files.writeString(passwordFile, HexFormat.of().formatHex(secret) + "\n");
                try {
                    Files.setPosixFilePermissions(
                            passwordFile, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the file keeps its default permissions
                }
            }
            String password = Files.readString(passwordFile).strip();
            Files.deleteIfExists(dir.resolve(LocalServices.STATE));

            List<String> cmd = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                cmd.add("/usr/bin/setsid"); // its own session: closing the terminal leaves it up
            }
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.add("-Xmx1g");
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(LocalServices.class.getName());
            cmd.add(dir.toAbsolutePath().toString());
            cmd.add(Integer.toString(kafkaPort));
            cmd.add(Integer.toString(freePort()));
            cmd.add(Integer.toString(postgresPort));
            cmd.add(password);
            wanted.forEach((name, partitions) -> cmd.add(name + ":" + partitions));
            Path log = dir.resolve(LOG);
            Process p =
                    new ProcessBuilder(cmd)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                            .redirectInput(ProcessBuilder.Redirect.from(devNull()))
                            .start();
            System.out.printf("local: starting Kafka and PostgreSQL (log: %s) ...%n", log);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            Path state = dir.resolve(LocalServices.STATE);
            while (!Files.exists(state)) {
                if (!p.isAlive()) {
                    throw new IllegalArgumentException(
                            "local services did not start (exit "
                                    + p.exitValue()
                                    + "); "
                                    + lastLine(log)
                                    + " (full log: "
                                    + log
                                    + ")");
                }
                if (System.nanoTime() > deadline) {
                    p.descendants().forEach(ProcessHandle::destroy);
                    p.destroy();
                    throw new IllegalArgumentException(
                            "local services did not start within "
                                    + timeoutSeconds
                                    + " s (see "
                                    + log
                                    + ")");
                }
                Thread.sleep(200);
            }
            Properties s = load(state);
            Files.writeString(dir.resolve(PID), s.getProperty("pid") + "\n");
            System.out.printf(
                    "local: up (pid %s); stop with ./parity local down%s%n",
                    s.getProperty("pid"),
                    dir.toString().equals(DEFAULT_DIR) ? "" : " --data-dir " + dir);
            print(s, dir, wanted);
            return 0;
        }

        private static java.io.File devNull() {
            return new java.io.File("/dev/null");
        }
    }

    @Command(
            name = "down",
            mixinStandardHelpOptions = true,
            description =
                    "Stops the services started by 'local up' (their data stays in --data-dir).")
    static final class Down extends DirOption implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Optional<ProcessHandle> running = running(dir);
            if (running.isEmpty()) {
                Files.deleteIfExists(dir.resolve(PID));
                System.out.println("local: nothing running (" + dir + ")");
                return 0;
            }
            ProcessHandle h = running.get();
            h.destroy(); // SIGTERM: both servers shut down cleanly in the process's hooks
            try {
                h.onExit().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
                h.onExit().get(10, TimeUnit.SECONDS);
                System.out.println("local: did not stop in 60 s, killed (pid " + h.pid() + ")");
            }
            Files.deleteIfExists(dir.resolve(PID));
            Files.deleteIfExists(dir.resolve(LocalServices.STATE));
            System.out.println("local: stopped (pid " + h.pid() + "); data kept in " + dir);
            return 0;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description =
                    "Shows whether the local services run and how to connect (exit 1 when not).")
    static final class Status extends DirOption implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return show(dir);
        }

        int show(Path dir) throws IOException {
            Optional<ProcessHandle> running = running(dir);
            Path state = dir.resolve(LocalServices.STATE);
            if (running.isEmpty() || !Files.exists(state)) {
                System.out.println(
                        running.isEmpty()
                                ? "local: not running (" + dir + ")"
                                : "local: starting (pid " + running.get().pid() + ")");
                return 1;
            }
            Properties s = load(state);
            System.out.println("local: running (pid " + s.getProperty("pid") + ")");
            print(s, dir, null);
            return 0;
        }
    }

    private static void print(Properties s, Path dir, Map<String, Integer> topics) {
        System.out.println("  kafka      --bootstrap-servers " + s.getProperty("kafka"));
        if (topics != null) {
            List<String> names = new ArrayList<>();
            topics.forEach(
                    (t, n) -> names.add(t + " (" + n + (n == 1 ? " partition)" : " partitions)")));
            System.out.println("             topics: " + String.join(", ", names));
        }
        System.out.println(
                "  postgres   --jdbc-url "
                        + s.getProperty("postgres")
                        + " --jdbc-user "
                        + LocalServices.USER
                        + " --jdbc-password-file "
                        + dir.resolve(PASSWORD));
    }

    /** The services' process when it runs: the pid file names a live Java process. */
    static Optional<ProcessHandle> running(Path dir) {
        Path pid = dir.resolve(PID);
        Path state = dir.resolve(LocalServices.STATE);
        String text;
        try {
            if (Files.exists(pid)) {
                text = Files.readString(pid).strip();
            } else if (Files.exists(state)) {
                text = load(state).getProperty("pid", "");
            } else {
                return Optional.empty();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return ProcessHandle.of(Long.parseLong(text))
                    .filter(ProcessHandle::isAlive)
                    .filter(
                            h ->
                                    h.info()
                                            .arguments()
                                            .map(
                                                    a ->
                                                            List.of(a)
                                                                    .contains(
                                                                            LocalServices.class
                                                                                    .getName()))
                                            .orElse(true));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    private static void checkFree(String option, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(option + " " + port + ": not a port number");
        }
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    option
                            + " "
                            + port
                            + ": the port is in use on localhost (another broker or database?);"
                            + " pass another "
                            + option);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String lastLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i).strip();
            if (!l.isEmpty() && !l.startsWith("at ")) {
                return l;
            }
        }
        return "no output";
    }
}
