package dev.parity.jobs.backfill;

import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.PipelineCounters;
import dev.parity.features.engine.RowCsv;
import dev.parity.features.engine.SpecPlan;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.OutputPaths;
import dev.parity.jobs.ProgressReporter;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import dev.parity.models.flink.Scoring;
import dev.parity.models.flink.ScoringInput;
import dev.parity.models.flink.ScoringOperator;
import dev.parity.models.flink.ServingModel;
import dev.parity.models.flink.SpecRowInput;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A backfill as a Java API: a spec's event files through {@link BackfillJob} on a local Flink, the
 * part files merged into {@code features.csv} (sorted by id), {@code rejected.csv}, {@code
 * late.csv}, {@code incomplete.csv} and, with a model, {@code predictions.csv}, then {@code
 * summary.json}. {@code parity backfill} and the demo run it.
 *
 * <pre>{@code
 * Backfill.Summary s =
 *         Backfill.builder(SpecPlan.of(BundledSpec.flights()))
 *                 .events(List.of("data/sample/flights-sample.csv"))
 *                 .out(Path.of("out"))
 *                 .model("models/bundled/flights-linear/1")
 *                 .build()
 *                 .run();
 * }</pre>
 *
 * Inputs are checked (headers, Parquet footers, the model against the spec) before the job starts;
 * a failed or refused run leaves no file that could pass for a result. {@code --out} must be an
 * empty or missing directory, or {@link Builder#overwrite} must be set; the run writes into a
 * staging directory inside it ({@value #STAGING}, the part files included) and only a run that
 * succeeded replaces the directory's old contents with its files. A failed run leaves the old
 * contents as they were, and no directory it created.
 */
public final class Backfill {
    /** Where a run writes inside {@code --out} until it has succeeded. */
    static final String STAGING = ".parity-staging";

    private final SpecPlan plan;
    private final String specLabel;
    private final List<String> eventFiles;
    private final Path out;
    private final boolean overwrite;
    private final RuntimeExecutionMode mode;
    private final int parallelism;
    private final Duration allowedLateness;
    private final Duration progressInterval;
    private final String model;
    private final String shadowModel;
    private final int maxBatch;
    private final Duration maxWait;
    private final int intraOpThreads;
    private final long maxModelBytes;
    private final PrintStream console;

    private Backfill(Builder b) {
        this.plan = b.plan;
        this.specLabel = b.specLabel;
        this.eventFiles = List.copyOf(b.events);
        this.out = b.out;
        this.overwrite = b.overwrite;
        this.mode = b.mode;
        this.parallelism = b.parallelism;
        this.allowedLateness = b.allowedLateness;
        this.progressInterval = b.progressInterval;
        this.model = b.model;
        this.shadowModel = b.shadowModel;
        this.maxBatch = b.maxBatch;
        this.maxWait = b.maxWait;
        this.intraOpThreads = b.intraOpThreads;
        this.maxModelBytes = b.maxModelBytes;
        this.console = b.console;
    }

    /** A backfill of {@code plan}'s events. */
    public static Builder builder(SpecPlan plan) {
        return new Builder(plan);
    }

    /** The scoring operators' builder with this backfill's model, shadow and batching options. */
    private <T> Scoring<T> scoring(ScoringInput<T> input, ModelGate gate) {
        return Scoring.of(input)
                .serve(ServingModel.at(model).gatedBy(gate))
                .shadow(shadowModel == null ? null : ServingModel.at(shadowModel).gatedBy(gate))
                .maxBatch(maxBatch)
                .maxWait(maxWait)
                .intraOpThreads(intraOpThreads);
    }

    /**
     * Checks the inputs and the model, runs the job, merges its outputs and writes the summary.
     *
     * @throws IllegalArgumentException naming the file or option when an input or the model is
     *     refused (no job started)
     */
    public Summary run() throws Exception {
        ScoringOperator<FeatureRow> scoring = null;
        ModelManifest manifest = null;
        if (model != null) {
            ModelGate gate = ModelGate.builder().maxBytes(maxModelBytes).build();
            // checked here so that a model of another spec fails before the job starts
            // a model of the spec's online inputs is scored on the same rows (skew checks)
            ModelContract contract = ModelRegistry.specContract(model, plan);
            manifest = ModelRegistry.load(model, gate, contract).manifest();
            if (shadowModel != null) {
                ModelRegistry.load(shadowModel, gate, contract);
            }
            scoring = scoring(new SpecRowInput(plan, contract), gate).build();
        }
        List<BackfillJob.Input> inputs = BackfillJob.inputs(plan, eventFiles);
        for (int i = 0; i < inputs.size(); i++) {
            BackfillJob.checkInput(eventFiles.get(i), inputs.get(i));
        }
        // checked again: the directory may have changed since build()
        checkOut(out, overwrite);
        Path created = OutputPaths.createDirectories("--out", out);
        Path staging = out.resolve(STAGING);
        try {
            OutputPaths.deleteRecursively(staging); // a killed run's
            Files.createDirectories(staging);
            Summary summary = run(staging, scoring, manifest, inputs);
            publish(staging);
            return summary;
        } catch (Exception | Error e) {
            try {
                OutputPaths.deleteRecursively(created != null ? created : staging);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The job into {@code staging}: its part files, the merged files and the summary. */
    private Summary run(
            Path staging,
            ScoringOperator<FeatureRow> specScoring,
            ModelManifest manifest,
            List<BackfillJob.Input> inputs)
            throws Exception {
        return execute(
                staging,
                parts ->
                        new BackfillJob(plan, inputs, parts.dir, allowedLateness, specScoring)
                                .build(parts.env),
                new RowCsv(plan, plan.hasLabel()).header(),
                String.format(
                        Locale.ROOT,
                        "backfill: %s%s -> %s (mode %s, parallelism %d)%n",
                        specLabel == null ? "" : "spec " + plan.name() + ", ",
                        String.join(" ", eventFiles),
                        out,
                        mode.name().toLowerCase(Locale.ROOT),
                        parallelism),
                "parity-backfill-" + plan.name() + "-" + mode.name().toLowerCase(Locale.ROOT),
                String.join(" ", eventFiles),
                specLabel,
                plan.name(),
                plan.fingerprint(),
                manifest);
    }

    /** Where a job writes its part files, and the environment to add its graph to. */
    static final class Parts {
        final String dir;
        final StreamExecutionEnvironment env;

        Parts(String dir, StreamExecutionEnvironment env) {
            this.dir = dir;
            this.env = env;
        }
    }

    /**
     * Replaces what {@code out} holds (nothing, unless {@code --overwrite}) with the files of
     * {@code staging}, then removes it. Old entries go first, so the directory never mixes two
     * runs' files.
     */
    private void publish(Path staging) throws IOException {
        try (Stream<Path> old = Files.list(out)) {
            for (Path p : (Iterable<Path>) old::iterator) {
                if (!p.getFileName().toString().equals(STAGING)) {
                    OutputPaths.deleteRecursively(p);
                }
            }
        }
        try (Stream<Path> files = Files.list(staging)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.move(f, out.resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Files.delete(staging);
    }

    /** {@code --out}: a writable directory, empty unless {@code overwrite}, or one to create. */
    static void checkOut(Path out, boolean overwrite) {
        OutputPaths.checkDirectory("--out", out, true, overwrite, Set.of(STAGING));
    }

    /** Adds a backfill's sources, operators and sinks. */
    @FunctionalInterface
    private interface Graph {
        void build(Parts parts);
    }

    /**
     * What both backfills share: the local environment (runtime mode, progress), the run, the merge
     * of the part files, the summary, the accounting checks, and no output left behind by a failed
     * run.
     */
    private Summary execute(
            Path dir,
            Graph graph,
            String featuresHeader,
            String banner,
            String jobName,
            String eventsLabel,
            String specLabel,
            String featureSet,
            String fingerprint,
            ModelManifest manifest)
            throws Exception {
        Path parts = dir.resolve("_parts");
        Files.createDirectories(parts);
        RuntimeExecutionMode runtime = mode;
        Configuration conf = LocalFlink.configuration(runtime, true);
        ProgressReporter.install(conf, progressInterval, runtime);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        graph.build(new Parts(parts.toString(), env));
        console.print(banner);
        long start = System.nanoTime();
        JobExecutionResult result = env.execute(jobName);
        long featureRows =
                PartMerger.merge(
                        parts,
                        BackfillOutputs.FEATURES,
                        featuresHeader,
                        dir.resolve("features.csv"),
                        true);
        long rejected =
                PartMerger.merge(
                        parts,
                        BackfillOutputs.REJECTED,
                        BackfillOutputs.REJECTED_HEADER,
                        dir.resolve("rejected.csv"),
                        false);
        long late =
                PartMerger.merge(
                        parts,
                        BackfillOutputs.LATE,
                        BackfillOutputs.LATE_HEADER,
                        dir.resolve("late.csv"),
                        true);
        long incomplete =
                PartMerger.merge(
                        parts,
                        BackfillOutputs.INCOMPLETE,
                        BackfillOutputs.INCOMPLETE_HEADER,
                        dir.resolve("incomplete.csv"),
                        true);
        long[] scored = manifest == null ? null : mergePredictions(parts, dir);
        double seconds = (System.nanoTime() - start) / 1e9;
        OutputPaths.deleteRecursively(parts);

        Summary s = new Summary();
        if (specLabel != null) {
            s.put("spec", specLabel);
        }
        s.put("events", eventsLabel);
        s.put("mode", mode.name().toLowerCase(Locale.ROOT));
        s.put("parallelism", parallelism);
        s.put("rows_in", counter(result, PipelineCounters.ROWS_READ));
        s.put("rows_out", featureRows);
        s.put("rejected_rows", rejected);
        s.put("late_events", late);
        s.put("incomplete_vectors", incomplete);
        s.put("wall_time_s", Math.round(seconds * 100) / 100.0);
        s.put("rows_per_s", Math.round(counter(result, PipelineCounters.ROWS_READ) / seconds));
        if (manifest != null) {
            s.put("model", manifest.name + "/" + manifest.version);
            s.put("predictions", scored[0]);
            s.put("unscorable", scored[1]);
        }
        s.put("feature_set", featureSet);
        s.put("feature_set_fingerprint", fingerprint);
        checkAccounting(result, featureRows, rejected, late);
        if (scored != null && scored[0] + scored[1] != featureRows) {
            throw new IllegalStateException(
                    String.format(
                            "scoring lost or duplicated records: %d rows, but %d"
                                    + " predictions + %d unscorable",
                            featureRows, scored[0], scored[1]));
        }
        Files.writeString(dir.resolve("summary.json"), s.toJson(), StandardCharsets.UTF_8);
        return s;
    }

    /** Merges predictions.csv (and the shadow's) and unscorable.csv; their line counts. */
    private long[] mergePredictions(Path parts, Path dir) throws IOException {
        long predictions =
                PartMerger.merge(
                        parts,
                        BackfillOutputs.PREDICTIONS,
                        BackfillOutputs.PREDICTIONS_HEADER,
                        dir.resolve("predictions.csv"),
                        true);
        if (shadowModel != null) {
            PartMerger.merge(
                    parts,
                    BackfillOutputs.SHADOW,
                    BackfillOutputs.PREDICTIONS_HEADER,
                    dir.resolve("shadow_predictions.csv"),
                    true);
        }
        long unscorable =
                PartMerger.merge(
                        parts,
                        BackfillOutputs.UNSCORABLE,
                        BackfillOutputs.UNSCORABLE_HEADER,
                        dir.resolve("unscorable.csv"),
                        true);
        return new long[] {predictions, unscorable};
    }

    /** The operators' exact counts must match what reached the files: nothing vanishes. */
    private static void checkAccounting(
            JobExecutionResult result, long featureRows, long rejected, long late) {
        long vectors = counter(result, PipelineCounters.VECTORS);
        long rejectedCount = counter(result, PipelineCounters.ROWS_REJECTED);
        long lateCount = counter(result, PipelineCounters.LATE_EVENTS);
        if (vectors != featureRows || rejectedCount != rejected || lateCount != late) {
            throw new IllegalStateException(
                    String.format(
                            "output files disagree with the job's counters: features %d vs %d,"
                                    + " rejected %d vs %d, late %d vs %d",
                            featureRows, vectors, rejected, rejectedCount, late, lateCount));
        }
    }

    private static long counter(JobExecutionResult result, String name) {
        Object v = result.getAccumulatorResult(name);
        return v == null ? 0L : ((Number) v).longValue();
    }

    /** Ordered key-value summary, printed and written as JSON. */
    public static final class Summary {
        final Map<String, Object> values = new LinkedHashMap<>();

        void put(String key, Object value) {
            values.put(key, value);
        }

        /** The value of {@code key} (as in summary.json), or null. */
        public Object get(String key) {
            return values.get(key);
        }

        public void print(PrintStream ps) {
            ps.println("summary:");
            values.forEach(
                    (k, v) ->
                            ps.printf(
                                    Locale.ROOT,
                                    "  %-24s %s%n",
                                    k,
                                    v instanceof Long ? String.format("%,d", v) : v));
        }

        String toJson() {
            StringBuilder sb = new StringBuilder("{\n");
            int i = 0;
            for (Map.Entry<String, Object> e : values.entrySet()) {
                sb.append("  \"").append(e.getKey()).append("\": ");
                Object v = e.getValue();
                if (v instanceof Number) {
                    sb.append(v);
                } else {
                    sb.append('"')
                            .append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\""))
                            .append('"');
                }
                sb.append(++i < values.size() ? ",\n" : "\n");
            }
            return sb.append("}\n").toString();
        }
    }

    /** Options of a {@link Backfill}; defaults as {@code parity backfill}'s. */
    public static final class Builder {
        private final SpecPlan plan;
        private String specLabel;
        private List<String> events = List.of();
        private Path out;
        private boolean overwrite;
        private RuntimeExecutionMode mode = RuntimeExecutionMode.BATCH;
        private int parallelism = 2;
        private Duration allowedLateness = Duration.ofMinutes(5);
        private Duration progressInterval = Duration.ofSeconds(2);
        private String model;
        private String shadowModel;
        private int maxBatch = 256;
        private Duration maxWait = Duration.ofMillis(5);
        private int intraOpThreads = 1;
        private long maxModelBytes = 256L << 20;
        private PrintStream console = System.out;

        private Builder(SpecPlan plan) {
            this.plan = Objects.requireNonNull(plan, "plan");
        }

        /** Where the spec came from, for the banner and summary.json; null for the bundled one. */
        public Builder specLabel(String specLabel) {
            this.specLabel = specLabel;
            return this;
        }

        /** The event files, each {@code [kind=]file} ({@link BackfillJob#inputs}). */
        public Builder events(List<String> events) {
            this.events = List.copyOf(events);
            return this;
        }

        /**
         * The local output directory, created if missing; an existing one must be empty unless
         * {@link #overwrite}.
         */
        public Builder out(Path out) {
            this.out = out;
            return this;
        }

        /**
         * Whether a non-empty {@link #out} may be replaced: its old contents are deleted once the
         * run has succeeded (and kept when it fails). Default: false, a non-empty one is refused.
         */
        public Builder overwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        public Builder mode(RuntimeExecutionMode mode) {
            this.mode = mode;
            return this;
        }

        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        public Builder allowedLateness(Duration allowedLateness) {
            this.allowedLateness = allowedLateness;
            return this;
        }

        /** How often to print progress; zero turns it off. */
        public Builder progressInterval(Duration progressInterval) {
            this.progressInterval = progressInterval;
            return this;
        }

        /** A model directory to score every row with (predictions.csv); null for none. */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder shadowModel(String shadowModel) {
            this.shadowModel = shadowModel;
            return this;
        }

        public Builder maxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        public Builder maxWait(Duration maxWait) {
            this.maxWait = maxWait;
            return this;
        }

        public Builder intraOpThreads(int intraOpThreads) {
            this.intraOpThreads = intraOpThreads;
            return this;
        }

        public Builder maxModelBytes(long maxModelBytes) {
            this.maxModelBytes = maxModelBytes;
            return this;
        }

        /** Where the banner goes (progress and summaries are the caller's). */
        public Builder console(PrintStream console) {
            this.console = Objects.requireNonNull(console, "console");
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the option ({@code parity backfill}'s name) that
         *     is missing or out of range
         */
        public Backfill build() {
            if (events.isEmpty()) {
                throw new IllegalArgumentException("--events: no event file given");
            }
            if (out == null) {
                throw new IllegalArgumentException("--out: no output directory given");
            }
            if (mode != RuntimeExecutionMode.BATCH && mode != RuntimeExecutionMode.STREAMING) {
                throw new IllegalArgumentException(
                        "--mode must be batch or streaming, got " + mode);
            }
            if (parallelism < 1) {
                throw new IllegalArgumentException(
                        "--parallelism must be at least 1, got " + parallelism);
            }
            if (maxBatch < 1 || intraOpThreads < 1) {
                throw new IllegalArgumentException(
                        "--max-batch and --intra-op-threads must be at least 1");
            }
            if (allowedLateness.isNegative()) {
                throw new IllegalArgumentException("--allowed-lateness must not be negative");
            }
            if (progressInterval.isNegative()) {
                throw new IllegalArgumentException("--progress-interval must not be negative");
            }
            if (shadowModel != null && model == null) {
                throw new IllegalArgumentException("--shadow-model needs --model");
            }
            checkOut(out, overwrite);
            return new Backfill(this);
        }
    }
}
