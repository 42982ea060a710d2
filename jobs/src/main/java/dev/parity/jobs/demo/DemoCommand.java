package dev.parity.jobs.demo;

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
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parity demo}: the three prediction modes end to end with nothing to install. It starts a
 * real KRaft broker in this JVM and a local Flink with its web UI, runs the streaming job with the
 * bundled model, replays the bundled sample into Kafka at a fixed speed-up of event time, shows
 * progress and live predictions read with {@code read_committed}, and ends the streaming part with
 * a summary and a parity line against a BATCH backfill of the same sample. Then {@link ServingDemo}
 * runs batch prediction into an embedded PostgreSQL and the online job on requests for the last
 * day, and reports the cost of batch prediction. Everything runs in this process and stops with it.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "The three prediction modes on the bundled sample (3 days, 48,626 flights)."
                    + " Streaming: an embedded Kafka broker, a local Flink with web UI, the bundled"
                    + " ONNX model, a paced replay, live predictions, latency and a parity check"
                    + " against a backfill. Then batch prediction into an embedded PostgreSQL,"
                    + " online requests answered from its daily snapshots, and the share of batch"
                    + " predictions nobody asked for."
        })
public final class DemoCommand implements Callable<Integer> {
    /** The bundled sample, in the project the launcher runs from ({@code parity.home}). */
    static final String SAMPLE = bundled("data/sample/flights-sample.csv");

    /** The bundled model. */
    static final String MODEL = bundled("models/bundled/flights-linear/1");

    /** {@code path} in the project directory ({@code -Dparity.home}, set by the launcher). */
    static String bundled(String path) {
        String home = System.getProperty("parity.home");
        return home == null || home.isBlank() ? path : Path.of(home, path).toString();
    }

    @Option(
            names = "--out",
            defaultValue = "out/demo",
            paramLabel = "DIR",
            description = "Where the reference backfill goes. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(
            names = "--speedup",
            defaultValue = "10000",
            description =
                    "Event time runs this many times faster than wall time (the sample's 3 days"
                            + " take ~26 s at 10000). Default: ${DEFAULT-VALUE}.")
    double speedup;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "PT2S",
            description =
                    "Exactly-once output is committed on checkpoints, so this bounds the latency."
                            + " Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(names = "--parallelism", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(
            names = "--web-port",
            defaultValue = "8081",
            description = "First port tried for the Flink web UI. Default: ${DEFAULT-VALUE}.")
    int webPort;

    @Override
    public Integer call() throws Exception {
        for (String f : List.of(SAMPLE, MODEL + "/model.onnx")) {
            if (!Files.isReadable(Path.of(f))) {
                throw new IllegalArgumentException(
                        f
                                + " is missing: run the demo with the project's ./parity"
                                + " (or from the repository root)");
            }
        }
        System.out.println(
                "[demo] 1/6 reference: BATCH backfill of the sample with the same model");
        Path reference = out.resolve("backfill");
        int exit =
                ParityCli.execute(
                        "backfill",
                        "--events",
                        SAMPLE,
                        "--out",
                        reference.toString(),
                        "--model",
                        MODEL,
                        "--progress-interval",
                        "PT0S");
        if (exit != 0) {
            return exit;
        }
        Map<Long, String> expected = readPredictions(reference.resolve("predictions.csv"));

        System.out.println("[demo] 2/6 starting an embedded Kafka broker (KRaft)");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            // One partition per source subtask at least: with idleness off (below) a subtask
            // without a partition would hold the watermark back for good.
            kafka.createTopic("flights.events", eventPartitions());
            kafka.createTopic("flights.predictions", 2);
            kafka.createTopic("flights.deadletter", 1);
            kafka.createTopic("flights.late", 1);
            System.out.println("       bootstrap servers: " + kafka.bootstrapServers());
            int streamed = stream(kafka, expected);
            boolean served = ServingDemo.run(kafka, reference, expected, MODEL);
            return streamed == 0 && served ? 0 : 1;
        }
    }

    private int eventPartitions() {
        return Math.max(2, parallelism);
    }

    private int stream(EmbeddedKafka kafka, Map<Long, String> expected) throws Exception {
        int port = freePort(webPort);
        Configuration conf = LocalFlink.configuration(RuntimeExecutionMode.STREAMING, true);
        conf.set(RestOptions.PORT, port);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        conf.set(StreamingOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(StreamingOptions.MODEL_DIR, MODEL);
        conf.set(StreamingOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(5));
        // Idleness off: the replay feeds every partition until the end-of-replay markers, so a
        // partition is silent here only when the machine or the broker stalls, and then waiting
        // for it (a little latency) is right; with idleness the other partition would race
        // ahead and the stalled one's events would turn late (reported, but not identical).
        conf.set(StreamingOptions.IDLENESS, Duration.ZERO);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(parallelism);
        StreamingPredictionJob.fromConfig(conf).build(env);
        JobClient job = env.executeAsync("parity-demo");
        System.out.printf(
                "[demo] 3/6 streaming job %s running on a local Flink: web UI http://localhost:%d%n",
                job.getJobID(), port);

        PredictionWatcher watcher =
                new PredictionWatcher(
                                SpecPlan.of(BundledSpec.flights()),
                                kafka.bootstrapServers(),
                                "flights.events",
                                "flights.predictions",
                                "flights.late",
                                "flights.deadletter",
                                true,
                                PredictionRecords.MARKER_ID)
                        .showLive(8, 3000);
        Thread watch = new Thread(watcher, "demo-watcher");
        watch.start();
        long start = System.nanoTime();
        try {
            System.out.printf(
                    Locale.ROOT,
                    "[demo] 4/6 replaying %s at %.0fx event time into flights.events%n",
                    SAMPLE,
                    speedup);
            int exit =
                    ParityCli.execute(
                            "replay",
                            "--events",
                            SAMPLE,
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--speedup",
                            Double.toString(speedup),
                            "--progress-interval-ms",
                            "0");
            if (exit != 0) {
                return exit;
            }
            PredictionRecords.sendEndMarkers(
                    kafka.bootstrapServers(),
                    "flights.events",
                    eventPartitions(),
                    Instant.parse("2001-01-05T00:00:00Z"));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (watcher.predictions() < expected.size() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        } finally {
            watcher.stop();
            watch.join();
            job.cancel().get(1, TimeUnit.MINUTES);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        return summary(watcher, expected, secs);
    }

    private int summary(PredictionWatcher w, Map<Long, String> expected, double secs) {
        long identical = 0;
        for (Map.Entry<Long, String> e : expected.entrySet()) {
            if (e.getValue().equals(w.lines().get(e.getKey()))) {
                identical++;
            }
        }
        long[] lat = w.latenciesMillis();
        System.out.println();
        System.out.println("Summary");
        System.out.printf(
                Locale.ROOT,
                "  events in:        %,d (and %d end-of-replay markers)%n",
                w.events(),
                w.markers());
        System.out.printf(
                Locale.ROOT,
                "  predictions out:  %,d (committed, read with isolation.level=read_committed)%n",
                w.predictions());
        System.out.printf(
                Locale.ROOT,
                "  duplicates:       %,d%n  dead letters:     %,d%n  late events:      %,d"
                        + " (flights without a prediction: %,d)%n",
                w.duplicates(),
                w.deadLetters(),
                w.late(),
                w.incomplete());
        System.out.printf(
                Locale.ROOT,
                "  throughput:       %,.0f events/s over %.1f s (paced replay at %.0fx)%n",
                w.events() / secs,
                secs,
                speedup);
        if (lat.length > 0) {
            System.out.printf(
                    Locale.ROOT,
                    "  latency:          p50 %d ms, p99 %d ms from a departure entering Kafka to"
                            + " its committed prediction (%,d predictions; checkpoints every %d"
                            + " ms)%n",
                    PredictionWatcher.quantile(lat, 0.5),
                    PredictionWatcher.quantile(lat, 0.99),
                    lat.length,
                    checkpointInterval.toMillis());
        }
        System.out.printf(
                Locale.ROOT,
                "  parity: %d/%d identical (streamed vs BATCH backfill of the same sample)%n",
                identical,
                expected.size());
        return identical == expected.size() && w.duplicates() == 0 ? 0 : 1;
    }

    static Map<Long, String> readPredictions(Path csv) throws IOException {
        Map<Long, String> out = new HashMap<>();
        List<String> lines = Files.readAllLines(csv);
        for (String line : lines.subList(1, lines.size())) {
            int comma = line.indexOf(',');
            out.put(Long.parseLong(line.substring(0, comma)), line);
        }
        return out;
    }

    private static int freePort(int first) {
        for (int port = first; port < first + 20; port++) {
            try (ServerSocket s = new ServerSocket(port)) {
                return port;
            } catch (IOException busy) {
                // next
            }
        }
        throw new IllegalStateException(
                "no free port for the web UI in " + first + "-" + (first + 19));
    }
}
