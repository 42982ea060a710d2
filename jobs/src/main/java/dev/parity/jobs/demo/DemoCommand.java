package dev.parity.jobs.demo;

import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.OutputPaths;
import dev.parity.jobs.backfill.Backfill;
import dev.parity.jobs.backfill.BackfillJob;
import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.jobs.kafka.PredictionRecords;
import dev.parity.jobs.kafka.PredictionWatcher;
import dev.parity.jobs.kafka.Replay;
import dev.parity.jobs.streaming.StreamingOptions;
import dev.parity.jobs.streaming.StreamingPredictionJob;
import dev.parity.models.LinearBaseline;
import dev.parity.models.ModelContract;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
                    + " predictions nobody asked for.",
            "With --spec and --events: the same on your own events; without --model a linear"
                    + " model of the spec's label is fitted on the backfill first."
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

    /**
     * The file that marks a directory as a demo's output, which the next demo may replace. A
     * running demo holds a lock on it, so that a second demo at the same time does not replace the
     * first one's directory under it.
     */
    static final String MARKER = ".parity-demo";

    static final String DEFAULT_OUT = "out/demo";

    /** The lock on {@code --out}'s marker, held until the JVM exits. */
    private FileChannel outLock;

    @Option(
            names = "--out",
            defaultValue = DEFAULT_OUT,
            paramLabel = "DIR",
            description =
                    "Where the demo writes (the reference backfill, models, request log): a"
                            + " missing or empty directory, or an earlier demo's, whose contents"
                            + " are replaced. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(
            names = "--overwrite",
            description =
                    "Replace the contents of a non-empty --out that is not an earlier demo's.")
    boolean overwrite;

    @Option(
            names = "--spec",
            paramLabel = "FILE",
            description = "Feature spec of --events. Default: the bundled flights spec.")
    Path spec;

    @Option(
            names = "--events",
            paramLabel = "[KIND=]FILE",
            description =
                    "One CSV or Parquet file of the spec's events, sorted by time. Default (flights):"
                            + " the bundled sample.")
    String events;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description =
                    "Model of the spec. Default: the bundled model for flights; for another spec,"
                            + " a least-squares model of its label fitted on the backfill.")
    String model;

    @Option(
            names = "--speedup",
            description =
                    "Event time runs this many times faster than wall time (the flights sample's 3"
                            + " days take ~26 s at 10000). Default: 10000 for flights; for another"
                            + " spec, what replays its events in about 25 s.")
    Double speedupOption;

    double speedup;
    private SpecPlan plan;
    private String eventsFile;
    private String modelDir;
    private String topics;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "PT2S",
            description =
                    "Exactly-once output is committed on checkpoints, so this bounds the latency."
                            + " Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            paramLabel = "N",
            description =
                    "Parallelism of the streaming job (the events topic gets at least as many"
                            + " partitions). Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(
            names = "--web-port",
            defaultValue = "8081",
            description = "First port tried for the Flink web UI. Default: ${DEFAULT-VALUE}.")
    int webPort;

    @Override
    public Integer call() throws Exception {
        if (out.equals(Path.of(DEFAULT_OUT))) {
            Path free = firstFree(out);
            if (!free.equals(out)) {
                System.out.println(
                        "[demo] "
                                + out
                                + " is in use by another demo running now; writing to "
                                + free);
                out = free;
            }
        }
        checkOut();
        plan = SpecPlan.of(spec == null ? BundledSpec.flights() : FeatureSpec.load(spec));
        if (spec != null && events == null) {
            throw new IllegalArgumentException("--spec needs --events: the file to replay");
        }
        eventsFile = events == null ? SAMPLE : events;
        modelDir = model != null ? model : spec == null ? MODEL : null;
        // topics named after the spec: flights.events, flights.predictions, ...
        topics = spec == null ? "flights" : plan.name();
        BackfillJob.Input input = BackfillJob.inputs(plan, List.of(eventsFile)).get(0);
        for (String f : modelDir == null ? List.<String>of() : List.of(modelDir + "/model.onnx")) {
            if (!Files.isReadable(Path.of(f))) {
                throw new IllegalArgumentException(
                        f
                                + " is missing: run the demo with the project's ./parity"
                                + " (or from the repository root)");
            }
        }
        if (events == null && !Files.isReadable(Path.of(SAMPLE))) {
            throw new IllegalArgumentException(
                    SAMPLE
                            + " is missing: run the demo with the project's ./parity (or from the"
                            + " repository root)");
        }
        BackfillJob.checkInput(eventsFile, input);
        DemoInput data = DemoInput.read(plan, input, ServingDemo.REQUESTS, 42);
        speedup =
                speedupOption != null
                        ? speedupOption
                        : spec == null
                                ? 10_000
                                : Math.max(1, (data.lastTime - data.firstTime) / 25_000.0);
        if (speedup <= 0) {
            throw new IllegalArgumentException("--speedup must be positive, got " + speedup);
        }

        Path created = prepareOut();
        try {
            return run(data);
        } catch (Exception | Error e) {
            if (created != null && onlyMarker(out)) {
                releaseOut();
                OutputPaths.deleteRecursively(created);
            }
            throw e;
        } finally {
            releaseOut();
        }
    }

    /** Lets the next demo have {@code --out}. */
    void releaseOut() throws IOException {
        if (outLock != null) {
            outLock.close();
            outLock = null;
        }
    }

    /**
     * Checks {@code --out} and empties it: an earlier demo's directory (it holds {@link #MARKER})
     * is replaced without asking, any other non-empty one only with {@code --overwrite}. Returns
     * the topmost directory created, or null.
     */
    Path prepareOut() throws IOException {
        checkOut();
        Path created = OutputPaths.createDirectories("--out", out);
        FileChannel marker =
                FileChannel.open(
                        out.resolve(MARKER), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (!tryLock(marker)) {
            marker.close();
            throw new IllegalArgumentException(
                    "--out " + out + " is in use by a demo running now; pass another --out");
        }
        outLock = marker;
        try (Stream<Path> old = Files.list(out)) {
            for (Path p : (Iterable<Path>) old::iterator) {
                if (!p.getFileName().toString().equals(MARKER)) {
                    OutputPaths.deleteRecursively(p);
                }
            }
        }
        marker.truncate(0);
        marker.write(
                ByteBuffer.wrap(
                        ("Written by parity demo; the next demo with this --out replaces this"
                                        + " directory.\n")
                                .getBytes(StandardCharsets.UTF_8)));
        return created;
    }

    /** Whether this process now holds the lock on {@code channel}'s file. */
    private static boolean tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock() != null;
        } catch (OverlappingFileLockException e) {
            return false; // held in this JVM already
        }
    }

    /**
     * {@code out}, or {@code out-2}, {@code out-3}, ... when a demo running now holds it: the first
     * directory that no running demo holds and that is missing, empty or an earlier demo's.
     */
    static Path firstFree(Path out) throws IOException {
        for (int i = 1; i <= 100; i++) {
            Path candidate = i == 1 ? out : Path.of(out + "-" + i);
            Path marker = candidate.resolve(MARKER);
            if (!Files.exists(candidate) || isEmpty(candidate)) {
                return candidate;
            }
            if (!Files.isRegularFile(marker)) {
                continue; // somebody else's directory
            }
            try (FileChannel c = FileChannel.open(marker, StandardOpenOption.WRITE)) {
                if (tryLock(c)) {
                    return candidate; // closing the channel releases the lock
                }
            }
        }
        return out; // let prepareOut say that it is in use
    }

    private static boolean isEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** {@code --out} can be written and, unless it is an earlier demo's, is empty. */
    private void checkOut() {
        boolean earlierDemo = Files.isRegularFile(out.resolve(MARKER));
        OutputPaths.checkDirectory("--out", out, true, overwrite || earlierDemo, Set.of());
    }

    private static boolean onlyMarker(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.allMatch(p -> p.getFileName().toString().equals(MARKER));
        }
    }

    private int run(DemoInput data) throws Exception {
        System.out.println(
                "[demo] 1/6 reference: BATCH backfill of the sample with the same model");
        Path reference = out.resolve("backfill");
        if (modelDir == null) {
            modelDir = fitModel(out);
        }
        backfill(reference, modelDir).print(System.out);
        Map<Long, String> expected = readPredictions(reference.resolve("predictions.csv"));

        System.out.println("[demo] 2/6 starting an embedded Kafka broker (KRaft)");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            // One partition per source subtask at least: with idleness off (below) a subtask
            // without a partition would hold the watermark back for good.
            kafka.createTopic(topics + ".events", eventPartitions());
            kafka.createTopic(topics + ".predictions", 2);
            kafka.createTopic(topics + ".deadletter", 1);
            kafka.createTopic(topics + ".late", 1);
            System.out.println("       bootstrap servers: " + kafka.bootstrapServers());
            int streamed = stream(kafka, expected, data);
            boolean served =
                    ServingDemo.run(
                            kafka,
                            new ServingDemo.Setup(
                                    plan, spec, eventsFile, modelDir, topics, reference, data),
                            expected);
            return streamed == 0 && served ? 0 : 1;
        }
    }

    /** A backfill of the demo's events into {@code dir}, scored with {@code withModel} if set. */
    private Backfill.Summary backfill(Path dir, String withModel) throws Exception {
        return Backfill.builder(plan)
                .specLabel(spec == null ? null : spec.toString())
                .events(List.of(eventsFile))
                .out(dir)
                .model(withModel)
                .progressInterval(Duration.ZERO)
                .build()
                .run();
    }

    /** A least-squares model of the spec's label on a first backfill's training file. */
    private String fitModel(Path out) throws Exception {
        String label =
                plan.labelColumn()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "--spec: "
                                                        + plan.name()
                                                        + " has no label to fit a model on; give"
                                                        + " --model"));
        Path features = out.resolve("training");
        backfill(features, null).print(System.out);
        ModelContract contract = ModelContract.of(plan);
        LinearBaseline.Fit fit =
                LinearBaseline.fit(features.resolve("features.csv"), contract, label);
        String dir =
                LinearBaseline.register(
                        fit,
                        contract,
                        out.resolve("registry").toString(),
                        plan.name().replace('.', '-') + "-linear",
                        "1",
                        "features.csv");
        System.out.printf(
                Locale.ROOT,
                "       model: least squares of %s on %d inputs (training MAE %.3f) -> %s%n",
                label,
                contract.inputColumns().size(),
                fit.mae,
                dir);
        return dir;
    }

    private int eventPartitions() {
        return Math.max(2, parallelism);
    }

    private int stream(EmbeddedKafka kafka, Map<Long, String> expected, DemoInput data)
            throws Exception {
        int port = LocalFlink.freePort(webPort);
        Configuration conf = LocalFlink.configuration(RuntimeExecutionMode.STREAMING, true);
        conf.set(RestOptions.PORT, port);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        conf.set(StreamingOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(StreamingOptions.MODEL_DIR, modelDir);
        if (spec != null) {
            conf.set(StreamingOptions.SPEC, spec.toString());
        }
        conf.set(StreamingOptions.EVENTS_TOPIC, topics + ".events");
        conf.set(StreamingOptions.PREDICTIONS_TOPIC, topics + ".predictions");
        conf.set(StreamingOptions.DEADLETTER_TOPIC, topics + ".deadletter");
        conf.set(StreamingOptions.LATE_TOPIC, topics + ".late");
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
                                plan,
                                kafka.bootstrapServers(),
                                topics + ".events",
                                topics + ".predictions",
                                topics + ".late",
                                topics + ".deadletter",
                                true,
                                PredictionRecords.MARKER_ID)
                        .showLive(8, Math.max(1, expected.size() / 16));
        Thread watch = new Thread(watcher, "demo-watcher");
        watch.start();
        long start = System.nanoTime();
        try {
            System.out.printf(
                    Locale.ROOT,
                    "[demo] 4/6 replaying %s at %.0fx event time into %s.events%n",
                    eventsFile,
                    speedup,
                    topics);
            Replay.builder(plan)
                    .events(eventsFile)
                    .topic(topics + ".events")
                    .bootstrapServers(kafka.bootstrapServers())
                    .speedup(speedup)
                    .progressMillis(0)
                    .endMarkers(true) // a day after the last event, on every partition
                    .build()
                    .run();
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
                    "  latency:          p50 %d ms, p99 %d ms from a query event entering Kafka to"
                            + " its committed prediction (%,d predictions; checkpoints every %d"
                            + " ms)%n",
                    PredictionWatcher.quantile(lat, 0.5),
                    PredictionWatcher.quantile(lat, 0.99),
                    lat.length,
                    checkpointInterval.toMillis());
        }
        System.out.printf(
                Locale.ROOT,
                "  parity: %d/%d identical (streamed vs BATCH backfill of the same events)%n",
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
}
