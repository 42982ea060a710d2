package dev.parity.jobs.backfill;

import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.PipelineCounters;
import dev.parity.features.engine.RowCsv;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.LocalFlink;
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
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parity backfill}: computes the training file of a spec's event files on a local Flink,
 * through the generic engine ({@link BackfillJob}); without {@code --spec} the bundled flights spec
 * ({@link BundledSpec#flights()}).
 */
@Command(
        name = "backfill",
        mixinStandardHelpOptions = true,
        description = {
            "Computes point-in-time features for every query event of a file (flights, or the"
                    + " --spec's) and writes <out>/features.csv (sorted by id), rejected.csv,"
                    + " late.csv, incomplete.csv and summary.json.",
            "BATCH and STREAMING mode run the same operator graph and give byte-identical"
                    + " features for a file in time order (STREAMING reports events further out of"
                    + " order than --allowed-lateness in late.csv)."
        })
public final class BackfillCommand implements Callable<Integer> {
    enum Mode {
        batch,
        streaming
    }

    @Option(
            names = "--events",
            required = true,
            paramLabel = "[KIND=]FILE",
            description = {
                "flights-3m.parquet, or CSV with header id,date,delay,distance,origin,destination (.csv or .csv.gz).",
                "With --spec: a Parquet or CSV (.csv, .csv.gz) file of the spec's source rows, of its one event kind, or of the kind named before '='. Repeatable (several files of flights rows too)."
            })
    List<String> eventFiles;

    @Option(
            names = "--spec",
            paramLabel = "FILE",
            description =
                    "Feature spec (YAML, see docs/SPEC.md) to compute. Default: the bundled flights spec (examples/flights/flights.yaml).")
    Path spec;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Local output directory (created if missing).")
    Path out;

    @Option(
            names = "--mode",
            defaultValue = "batch",
            paramLabel = "MODE",
            description =
                    "batch (Flink BATCH runtime) or streaming (STREAMING runtime, RocksDB state). Default: ${DEFAULT-VALUE}.")
    Mode mode;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            paramLabel = "N",
            description = "Parallelism of the feature operators. Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(
            names = "--allowed-lateness",
            defaultValue = "PT5M",
            paramLabel = "DURATION",
            description =
                    "Bounded out-of-orderness of event time (ISO-8601, e.g. PT5M); events later than this go to late.csv. Default: ${DEFAULT-VALUE}.")
    Duration allowedLateness;

    @Option(
            names = "--progress-interval",
            defaultValue = "PT2S",
            paramLabel = "DURATION",
            description =
                    "How often to print progress; PT0S turns it off. Default: ${DEFAULT-VALUE}.")
    Duration progressInterval;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description =
                    "Model directory (<registry>/<name>/<version>) to score every row (flight) with; writes predictions.csv. The model must pass the bad-model gate, for this feature set.")
    String model;

    @Option(
            names = "--shadow-model",
            paramLabel = "DIR",
            description =
                    "Candidate model scored next to --model on every row; writes shadow_predictions.csv.")
    String shadowModel;

    @Option(
            names = "--max-batch",
            defaultValue = "256",
            paramLabel = "N",
            description = "Scoring micro-batch size. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(
            names = "--max-wait",
            defaultValue = "PT0.005S",
            paramLabel = "DURATION",
            description =
                    "Longest a record waits for its micro-batch to fill. Default: ${DEFAULT-VALUE}.")
    Duration maxWait;

    @Option(
            names = "--intra-op-threads",
            defaultValue = "1",
            paramLabel = "N",
            description = "ONNX Runtime threads per scoring subtask. Default: ${DEFAULT-VALUE}.")
    int intraOpThreads;

    @Option(
            names = "--max-model-bytes",
            defaultValue = "268435456",
            paramLabel = "BYTES",
            description = "Size limit of the bad-model gate. Default: ${DEFAULT-VALUE}.")
    long maxModelBytes;

    static final String[] OUTPUT_FILES = {
        "features.csv",
        "rejected.csv",
        "late.csv",
        "incomplete.csv",
        "predictions.csv",
        "unscorable.csv",
        "shadow_predictions.csv",
        "summary.json"
    };

    private final PrintStream console;

    public BackfillCommand() {
        this(System.out);
    }

    BackfillCommand(PrintStream console) {
        this.console = console;
    }

    @Override
    public Integer call() throws Exception {
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
        // Without --spec: the bundled flights spec, which is the built-in flights feature set
        SpecPlan plan = SpecPlan.of(spec == null ? BundledSpec.flights() : FeatureSpec.load(spec));
        Summary summary = runSpec(plan, spec == null ? null : spec.toString());
        summary.print(console);
        return 0;
    }

    /** The scoring operators' builder with this command's model, shadow and batching options. */
    private <T> Scoring<T> scoring(ScoringInput<T> input, ModelGate gate) {
        return Scoring.of(input)
                .serve(ServingModel.at(model).gatedBy(gate))
                .shadow(shadowModel == null ? null : ServingModel.at(shadowModel).gatedBy(gate))
                .maxBatch(maxBatch)
                .maxWait(maxWait)
                .intraOpThreads(intraOpThreads);
    }

    /**
     * The backfill of {@code --spec} through the generic engine: the spec is validated and every
     * CSV header checked before the job starts.
     */
    Summary runSpec(SpecPlan plan, String specLabel) throws Exception {
        if (shadowModel != null && model == null) {
            throw new IllegalArgumentException("--shadow-model needs --model");
        }
        // A run never leaves an earlier run's outputs behind: after a failed or refused run the
        // directory holds no file that could pass for a result. Each file appears atomically
        // (written to .tmp, then moved) once the job has finished.
        if (Files.isDirectory(out)) {
            for (String file : OUTPUT_FILES) {
                Files.deleteIfExists(out.resolve(file));
            }
        }
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
        Files.createDirectories(out);
        ScoringOperator<FeatureRow> specScoring = scoring;
        return execute(
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
                        mode,
                        parallelism),
                "parity-backfill-" + plan.name() + "-" + mode,
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
        Path parts = out.resolve("_parts");
        deleteRecursively(parts);
        Files.createDirectories(parts);
        RuntimeExecutionMode runtime =
                mode == Mode.batch ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING;
        Configuration conf = LocalFlink.configuration(runtime, true);
        if (!progressInterval.isZero()) {
            conf.setString(
                    "metrics.reporter.progress.factory.class",
                    ProgressReporter.Factory.class.getName());
            conf.setString(
                    "metrics.reporter.progress.interval", progressInterval.toMillis() + " ms");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        graph.build(new Parts(parts.toString(), env));
        console.print(banner);
        long start = System.nanoTime();
        try {
            JobExecutionResult result = env.execute(jobName);
            long featureRows =
                    PartMerger.merge(
                            parts,
                            BackfillOutputs.FEATURES,
                            featuresHeader,
                            out.resolve("features.csv"),
                            true);
            long rejected =
                    PartMerger.merge(
                            parts,
                            BackfillOutputs.REJECTED,
                            BackfillOutputs.REJECTED_HEADER,
                            out.resolve("rejected.csv"),
                            false);
            long late =
                    PartMerger.merge(
                            parts,
                            BackfillOutputs.LATE,
                            BackfillOutputs.LATE_HEADER,
                            out.resolve("late.csv"),
                            true);
            long incomplete =
                    PartMerger.merge(
                            parts,
                            BackfillOutputs.INCOMPLETE,
                            BackfillOutputs.INCOMPLETE_HEADER,
                            out.resolve("incomplete.csv"),
                            true);
            long[] scored = manifest == null ? null : mergePredictions(parts);
            double seconds = (System.nanoTime() - start) / 1e9;
            deleteRecursively(parts);

            Summary s = new Summary();
            if (specLabel != null) {
                s.put("spec", specLabel);
            }
            s.put("events", eventsLabel);
            s.put("mode", mode.name());
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
            Files.writeString(out.resolve("summary.json"), s.toJson(), StandardCharsets.UTF_8);
            return s;
        } catch (Exception e) {
            // Nothing that looks like a result may survive a failed run.
            for (String file : OUTPUT_FILES) {
                Files.deleteIfExists(out.resolve(file));
                Files.deleteIfExists(out.resolve(file + ".tmp"));
            }
            throw e;
        }
    }

    /** Merges predictions.csv (and the shadow's) and unscorable.csv; their line counts. */
    private long[] mergePredictions(Path parts) throws IOException {
        long predictions =
                PartMerger.merge(
                        parts,
                        BackfillOutputs.PREDICTIONS,
                        BackfillOutputs.PREDICTIONS_HEADER,
                        out.resolve("predictions.csv"),
                        true);
        if (shadowModel != null) {
            PartMerger.merge(
                    parts,
                    BackfillOutputs.SHADOW,
                    BackfillOutputs.PREDICTIONS_HEADER,
                    out.resolve("shadow_predictions.csv"),
                    true);
        }
        long unscorable =
                PartMerger.merge(
                        parts,
                        BackfillOutputs.UNSCORABLE,
                        BackfillOutputs.UNSCORABLE_HEADER,
                        out.resolve("unscorable.csv"),
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

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** Ordered key-value summary, printed and written as JSON. */
    static final class Summary {
        final Map<String, Object> values = new LinkedHashMap<>();

        void put(String key, Object value) {
            values.put(key, value);
        }

        void print(PrintStream ps) {
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
}
