package dev.parity.compression;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.eval.Benchmark;
import dev.parity.compression.eval.Evaluation;
import dev.parity.compression.eval.ModelInputs;
import dev.parity.compression.eval.OrtModel;
import dev.parity.compression.methods.CompressionMethod;
import dev.parity.compression.methods.DistillMethod;
import dev.parity.compression.methods.Fp16Method;
import dev.parity.compression.methods.Int8DynamicMethod;
import dev.parity.compression.methods.Int8StaticMethod;
import dev.parity.compression.methods.LowRankMethod;
import dev.parity.compression.methods.MethodContext;
import dev.parity.compression.methods.MethodSkippedException;
import dev.parity.compression.methods.PruneMethod;
import dev.parity.compression.methods.QatMethod;
import dev.parity.compression.methods.Variant;
import dev.parity.compression.onnx.Layers;
import dev.parity.compression.onnx.Tensors;
import dev.parity.compression.spi.MlpTrainer;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.models.FeatureTable;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.core.fs.FileSystem;

/**
 * The offline compression job (docs/ARCHITECTURE.md, Compression): runs the chosen methods on a
 * teacher, checks every variant (gate, loads and runs in ONNX Runtime) before anything is written,
 * measures all variants side by side with the teacher, selects one within the quality budget,
 * registers every variant with lineage and writes {@code report.json} and {@code report.html}.
 *
 * <pre>{@code
 * CompressionReport r = CompressionJob.builder()
 *         .teacher(TeacherModel.load(Path.of("models/bundled/flights-linear/1"), 64 << 20, null))
 *         .features(Path.of("features.csv"))
 *         .out("out/compress")
 *         .methods(CompressionJob.allMethods())
 *         .trainer(null) // no DJL trainer: distill and fine-tuning are reported as skipped
 *         .build()
 *         .run();
 * }</pre>
 */
public final class CompressionJob {
    /** Methods by command-line name, in the order they run by default. */
    public static final List<String> METHOD_NAMES =
            List.of("fp16", "int8-dynamic", "int8-static", "prune", "lowrank", "distill");

    /**
     * Methods run only when named: quantisation-aware training costs a training run (on the full
     * teacher, minutes).
     */
    public static final List<String> OPTIONAL_METHODS = List.of("qat");

    private static final int FINE_TUNE_EPOCHS = 20;

    /** Adam steps (batches of 32) when a variant is fine-tuned to its teacher's outputs. */
    private static final int MATCH_TEACHER_STEPS = 400;

    private static final int EVAL_BATCH = 4096;
    private static final int GENERATED_ROWS = 1024;

    private final TeacherModel teacher;
    private final Path features;
    private final String out;
    private final List<CompressionMethod> methods;
    private final double budget;
    private final Selection.Mode select;
    private final boolean fineTune;
    private final MlpTrainer trainer;
    private final Benchmark benchmark;
    private final int calibrationRows;
    private final PrintStream progress;
    private final TableLoader tables;
    private final String reportName;
    private final ModelContract contract;

    /** Reads a training file's columns into a table split into train, validation and report. */
    @FunctionalInterface
    public interface TableLoader {
        FeatureTable load(Path csv, List<String> columns) throws IOException;
    }

    private CompressionJob(Builder b) {
        this.teacher = b.teacher;
        this.features = b.features;
        this.out = b.out;
        this.methods = List.copyOf(b.methods);
        this.budget = b.budget;
        this.select = b.select;
        this.fineTune = b.fineTune;
        this.trainer = b.trainer;
        this.benchmark = b.benchmark;
        this.calibrationRows = b.calibrationRows;
        this.progress = b.progress;
        this.tables = b.tables;
        this.reportName = b.reportName;
        this.contract = b.contract;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every method with its default settings. */
    public static List<CompressionMethod> allMethods() {
        return methods(METHOD_NAMES);
    }

    /** Methods by name; an unknown name is an error that lists the known ones. */
    public static List<CompressionMethod> methods(List<String> names) {
        List<CompressionMethod> out = new ArrayList<>();
        for (String n : names) {
            switch (n.trim()) {
                case "fp16":
                    out.add(new Fp16Method());
                    break;
                case "int8-dynamic":
                    out.add(new Int8DynamicMethod());
                    break;
                case "int8-static":
                    out.add(new Int8StaticMethod());
                    break;
                case "prune":
                    out.add(new PruneMethod());
                    break;
                case "lowrank":
                    out.add(new LowRankMethod());
                    break;
                case "distill":
                    out.add(new DistillMethod());
                    break;
                case "qat":
                    out.add(new QatMethod());
                    break;
                default:
                    List<String> known = new ArrayList<>(METHOD_NAMES);
                    known.addAll(OPTIONAL_METHODS);
                    throw new IllegalArgumentException(
                            "--methods: unknown method '" + n + "'; known: " + known);
            }
        }
        return out;
    }

    /** A variant that passed the checks, with what the job measured for it. */
    private static final class Candidate {
        final Variant variant;
        final CompressionReport.Entry entry = new CompressionReport.Entry();
        List<Map<String, float[]>> outputs;

        Candidate(Variant variant) {
            this.variant = variant;
        }
    }

    public CompressionReport run() throws Exception {
        ModelManifest manifest = teacher.manifest();
        byte[] teacherBytes = teacher.bytes();
        CompressionReport report = new CompressionReport();
        report.createdAt = Instant.now().toString();
        report.teacherLocation = teacher.location();
        report.modelName = teacher.name();
        report.teacherVersion = teacher.version();
        report.teacherSha256 = ModelGate.sha256(teacherBytes);
        report.budget = budget;
        report.select = select.name().toLowerCase(Locale.ROOT);
        report.machine =
                Runtime.getRuntime().availableProcessors()
                        + " cores, "
                        + System.getProperty("os.arch")
                        + ", ONNX Runtime "
                        + ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion()
                        + ", 1 intra-op thread per session";
        report.unhandledConstructs.addAll(
                Layers.unhandledConstructs(teacher.model(), ModelGate.DEFAULT_ALLOWED_OPS));
        for (String u : report.unhandledConstructs) {
            say("note: " + u);
        }

        // Inputs: real rows when there is a training file, generated ones otherwise.
        FeatureTable table = null;
        ModelInputs calibration;
        ModelInputs evaluation;
        float[] labels = null;
        if (features != null) {
            if (manifest == null) {
                throw new IllegalArgumentException(
                        "--features needs a model directory with a manifest (input order and"
                                + " imputation defaults); a bare .onnx has neither");
            }
            say("loading " + features + " ...");
            table = tables.load(features, manifest.inputNames());
            int[] train = table.rowsOf(FeatureTable.Split.TRAIN);
            int[] june = table.rowsOf(FeatureTable.Split.REPORT);
            if (train.length == 0 || june.length == 0) {
                throw new IllegalArgumentException(
                        "--features: "
                                + features
                                + " has "
                                + train.length
                                + " TRAIN (before "
                                + table.validationFrom()
                                + ") and "
                                + june.length
                                + " REPORT (from "
                                + table.reportFrom()
                                + ") rows; both are needed");
            }
            say(
                    String.format(
                            Locale.ROOT,
                            "features: %,d rows (%,d train, %,d %s)",
                            table.rows(),
                            train.length,
                            june.length,
                            reportName));
            calibration = TeacherInputs.trainRows(table, manifest, calibrationRows);
            evaluation = TeacherInputs.reportRows(table, manifest, Integer.MAX_VALUE);
            labels = table.labels(june);
            report.evaluatedOn =
                    (reportName.equals("june") ? "June" : "report")
                            + " (REPORT) rows of "
                            + features.getFileName();
            report.evaluatedRows = june.length;
            report.qualityMetric = reportName + "_mae";
        } else {
            evaluation = TeacherInputs.generated(teacher);
            calibration = evaluation;
            report.evaluatedOn = evaluation.description();
            report.evaluatedRows = evaluation.batchRows(256) * (GENERATED_ROWS / 256);
            report.qualityMetric = "mean_abs_diff";
        }
        List<ModelInputs.Batch> evalBatches =
                evaluation.fromData()
                        ? evaluation.batches(evaluation.availableRows(), EVAL_BATCH)
                        : evaluation.batches(GENERATED_ROWS, 256);
        if (!evaluation.fromData()) {
            report.evaluatedRows = evalBatches.stream().mapToInt(b -> b.rows).sum();
        }
        ModelInputs.Batch probe = evalBatches.get(0);

        // Methods.
        MethodContext ctx =
                new MethodContext(teacherBytes, teacher.model(), table, trainer, calibration);
        List<Candidate> candidates = new ArrayList<>();
        for (CompressionMethod method : methods) {
            CompressionReport.MethodStatus status =
                    new CompressionReport.MethodStatus(method.name(), "ok", null);
            report.methods.add(status);
            say("method " + method.name() + " ...");
            List<Variant> made;
            try {
                made = new ArrayList<>(method.apply(ctx));
            } catch (MethodSkippedException e) {
                status.status = "skipped";
                status.reason = e.getMessage();
                say("  skipped: " + e.getMessage());
                continue;
            } catch (Exception e) {
                status.status = "failed";
                status.reason = String.valueOf(e);
                say("  failed: " + e);
                continue;
            }
            if (fineTune && (method instanceof PruneMethod || method instanceof LowRankMethod)) {
                made.addAll(fineTuned(made, teacherBytes, table, calibration, status));
            }
            for (Variant v : made) {
                String problem = check(v, probe);
                if (problem != null) {
                    status.reason = append(status.reason, v.suffix() + " not written: " + problem);
                    say("  " + v.suffix() + ": not written: " + problem);
                    continue;
                }
                candidates.add(new Candidate(v));
                status.variants.add(teacher.version() + "-" + v.suffix());
            }
            if (status.variants.isEmpty()) {
                status.status = "failed";
            }
        }

        // Quality: every model on the same rows, the teacher first.
        say("evaluating " + (candidates.size() + 1) + " models on " + report.evaluatedOn + " ...");
        List<Map<String, float[]>> teacherOut = Evaluation.outputs(teacherBytes, evalBatches);
        CompressionReport.Entry t = new CompressionReport.Entry();
        t.version = teacher.version();
        t.method = "teacher";
        describe(t, teacherBytes, teacherBytes.length);
        String outputName =
                manifest != null ? manifest.outputTensor.name : firstOutput(teacher.model());
        if (labels != null) {
            double[] err = Evaluation.errors(teacherOut, outputName, labels);
            t.mae = err[0];
            t.rmse = err[1];
        }
        t.maxAbsDiff = 0.0;
        t.meanAbsDiff = 0.0;
        double teacherMeanAbs = Evaluation.meanAbs(teacherOut);
        for (Candidate c : candidates) {
            CompressionReport.Entry e = c.entry;
            e.version = teacher.version() + "-" + c.variant.suffix();
            e.method = c.variant.method();
            e.parameters.putAll(c.variant.parameters());
            e.notes.addAll(c.variant.notes());
            describe(e, c.variant.onnx(), teacherBytes.length);
            c.outputs = Evaluation.outputs(c.variant.onnx(), evalBatches);
            double[] agree = Evaluation.agreement(teacherOut, c.outputs);
            e.maxAbsDiff = agree[0];
            e.meanAbsDiff = agree[1];
            if (labels != null) {
                double[] err = Evaluation.errors(c.outputs, outputName, labels);
                e.mae = err[0];
                e.rmse = err[1];
            }
            c.outputs = null;
            say(
                    String.format(
                            Locale.ROOT,
                            "  %-28s %,10d bytes (%.2fx smaller)  %s  max|diff| %.4g",
                            e.version,
                            e.sizeBytes,
                            1 / e.sizeRatio,
                            e.mae == null ? "" : String.format(Locale.ROOT, "MAE %.4f", e.mae),
                            e.maxAbsDiff));
        }

        // Speed: all side by side in one run.
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put(t.version, teacherBytes);
        for (Candidate c : candidates) {
            all.put(c.entry.version, c.variant.onnx());
        }
        say("benchmarking " + all.size() + " models side by side ...");
        Map<String, Benchmark.Timing> timings = benchmark.run(all, evaluation);
        report.benchmark.put("batch_size", benchmark.batchSize());
        report.benchmark.put(
                "method",
                "all sessions open at once, same options (1 intra-op thread, all optimisations),"
                        + " warm-up, then interleaved rounds with the model order rotated");
        report.benchmark.put("inputs", evaluation.description());
        List<CompressionReport.Entry> entries = new ArrayList<>();
        entries.add(t);
        for (Candidate c : candidates) {
            entries.add(c.entry);
        }
        Benchmark.Timing tt = timings.get(t.version);
        for (CompressionReport.Entry e : entries) {
            Benchmark.Timing x = timings.get(e.version);
            e.latencyP50Micros = x.p50Micros;
            e.latencyP99Micros = x.p99Micros;
            e.batchP50Micros = x.batchP50Micros;
            e.batchRowsPerSecond = x.rowsPerSecond;
            e.batchRows = x.batchRows;
            e.speedup = x.rowsPerSecond / tt.rowsPerSecond;
        }

        // Selection.
        List<CompressionReport.Entry> variants = entries.subList(1, entries.size());
        report.selectionReason = Selection.select(t, variants, budget, select, teacherMeanAbs);
        Selection.markPareto(entries);
        for (CompressionReport.Entry e : entries) {
            if (e.selected) {
                report.selected = e.version;
            }
        }

        // Registration: the teacher copy and every variant, each checked after it is written.
        ModelRegistry registry = new ModelRegistry(out);
        t.directory = register(registry, t, teacherBytes, manifest, null);
        for (Candidate c : candidates) {
            c.entry.directory = register(registry, c.entry, c.variant.onnx(), manifest, c.variant);
        }
        report.models.addAll(entries);
        writeReports(report);
        for (CompressionReport.Entry e : entries) {
            say(
                    String.format(
                            Locale.ROOT,
                            "  %-28s %9d B  p50 %8.1f us  %,12.0f rows/s  %s%s",
                            e.version,
                            e.sizeBytes,
                            e.latencyP50Micros,
                            e.batchRowsPerSecond,
                            e.mae == null
                                    ? String.format(Locale.ROOT, "mean|diff| %.4g", e.meanAbsDiff)
                                    : String.format(Locale.ROOT, "MAE %.4f", e.mae),
                            e.selected ? "  <- selected" : ""));
        }
        say("selected " + report.selectionReason);
        say("wrote " + out + "/report.json and " + out + "/report.html");
        return report;
    }

    /**
     * Fine-tuned copies of prune/lowrank variants, or a note why there are none: an MLP of the
     * trainer's layout with a training file is fine-tuned on its labels; any other graph (a CNN, or
     * no training file) is fine-tuned to reproduce the teacher's outputs on the calibration inputs.
     */
    private List<Variant> fineTuned(
            List<Variant> made,
            byte[] teacherBytes,
            FeatureTable table,
            ModelInputs calibration,
            CompressionReport.MethodStatus status) {
        List<Variant> tuned = new ArrayList<>();
        if (trainer == null) {
            status.reason = append(status.reason, "fine-tune skipped: no trainer");
            say("  fine-tune skipped: no trainer");
            return tuned;
        }
        for (Variant v : made) {
            try {
                Map<String, String> p = new LinkedHashMap<>(v.parameters());
                List<String> notes = new ArrayList<>(v.notes());
                byte[] bytes = null;
                if (table != null) {
                    say("  fine-tuning " + v.suffix() + " on the training file ...");
                    try {
                        bytes = trainer.fineTune(v.onnx(), table, FINE_TUNE_EPOCHS);
                        p.put("fine_tune_max_epochs", Integer.toString(FINE_TUNE_EPOCHS));
                    } catch (IllegalArgumentException notAnMlp) {
                        say("  " + notAnMlp.getMessage());
                    }
                }
                if (bytes == null) {
                    say("  fine-tuning " + v.suffix() + " to the teacher's outputs ...");
                    MlpTrainer.Matched m =
                            trainer.matchTeacher(
                                    teacherBytes, v.onnx(), calibration, MATCH_TEACHER_STEPS);
                    bytes = m.onnx;
                    p.put("fine_tune", "to the teacher's outputs on " + calibration.description());
                    p.put("fine_tune_steps", m.bestStep + " of " + MATCH_TEACHER_STEPS);
                    notes.add(
                            String.format(
                                    Locale.ROOT,
                                    "fine-tuned to the teacher: held-out mean |diff| / mean"
                                            + " |output| %.4f before, %.4f after (step %d)",
                                    m.before,
                                    m.after,
                                    m.bestStep));
                }
                tuned.add(new Variant(v.suffix() + "-ft", v.method(), p, bytes, notes));
            } catch (Exception e) {
                status.reason = append(status.reason, v.suffix() + " fine-tune failed: " + e);
                say("  " + v.suffix() + " fine-tune failed: " + e);
            }
        }
        return tuned;
    }

    /** Null when the variant passes the gate and runs in ONNX Runtime, else the problem. */
    private String check(Variant v, ModelInputs.Batch probe) {
        try {
            teacher.gate().checkFile(v.suffix(), v.onnx());
        } catch (IllegalArgumentException e) {
            return "gate: " + e.getMessage();
        }
        try (OrtModel m = OrtModel.open(v.onnx())) {
            Map<String, float[]> outs = m.run(probe);
            if (outs.isEmpty()) {
                return "no float output";
            }
        } catch (Exception e) {
            return "ONNX Runtime: " + e.getMessage();
        }
        return null;
    }

    private static void describe(CompressionReport.Entry e, byte[] onnx, long teacherSize)
            throws IOException {
        e.sha256 = ModelGate.sha256(onnx);
        e.sizeBytes = onnx.length;
        e.sizeRatio = (double) onnx.length / teacherSize;
        e.gzipBytes = gzipSize(onnx);
        OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(onnx);
        long params = 0;
        long nonZero = 0;
        for (OnnxMl.TensorProto t : m.getGraph().getInitializerList()) {
            long n = Tensors.numel(t);
            params += n;
            nonZero += Tensors.isFloat(t) ? countNonZero(Tensors.floats(t)) : n;
        }
        e.parameterCount = params;
        e.nonZeroParameters = nonZero;
    }

    private static long countNonZero(float[] v) {
        long n = 0;
        for (float x : v) {
            if (x != 0f) {
                n++;
            }
        }
        return n;
    }

    private static long gzipSize(byte[] b) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(b);
        }
        return bos.size();
    }

    private String register(
            ModelRegistry registry,
            CompressionReport.Entry e,
            byte[] onnx,
            ModelManifest teacherManifest,
            Variant v)
            throws IOException {
        ModelManifest m =
                teacherManifest != null
                        ? ModelManifest.fromJson(teacherManifest.toJson())
                        : TeacherInputs.bareManifest(teacher.model());
        m.createdAt = null;
        if (v != null) {
            m.metrics = new LinkedHashMap<>();
            Map<String, String> params = new LinkedHashMap<>();
            params.put("parent", teacher.name() + "/" + teacher.version());
            params.putAll(v.parameters());
            m.lineage =
                    new ModelManifest.Lineage(
                            ModelGate.sha256(teacher.bytes()), v.method(), params);
        }
        if (e.mae != null) {
            m.metrics.put(reportName + "_mae", e.mae);
            m.metrics.put(reportName + "_rmse", e.rmse);
        }
        m.metrics.put("size_bytes", (double) e.sizeBytes);
        m.metrics.put("parameters", (double) e.parameterCount);
        m.metrics.put("nonzero_parameters", (double) e.nonZeroParameters);
        m.metrics.put("latency_b1_p50_us", e.latencyP50Micros);
        m.metrics.put("latency_b1_p99_us", e.latencyP99Micros);
        m.metrics.put("throughput_rows_per_s", e.batchRowsPerSecond);
        m.metrics.put("max_abs_diff_vs_teacher", e.maxAbsDiff);
        m.metrics.put("mean_abs_diff_vs_teacher", e.meanAbsDiff);
        String dir = registry.register(teacher.name(), e.version, onnx, m);
        // Read back and gate what was written: the full gate when the job's feature set applies.
        if (m.featureSet != null && contract.fingerprint().equals(m.featureSet.fingerprint)) {
            ModelRegistry.load(
                    dir, ModelGate.builder().maxBytes(teacher.gate().maxBytes()).build(), contract);
        } else {
            teacher.gate().checkFile(dir, onnx);
        }
        return dir;
    }

    private static String firstOutput(OnnxMl.ModelProto model) {
        return model.getGraph().getOutput(0).getName();
    }

    private void writeReports(CompressionReport report) throws IOException {
        org.apache.flink.core.fs.Path root = new org.apache.flink.core.fs.Path(out);
        FileSystem fs = root.getFileSystem();
        fs.mkdirs(root);
        write(fs, new org.apache.flink.core.fs.Path(root, "report.json"), report.toJson());
        write(
                fs,
                new org.apache.flink.core.fs.Path(root, "report.html"),
                ReportHtml.render(report).getBytes(StandardCharsets.UTF_8));
    }

    private static void write(FileSystem fs, org.apache.flink.core.fs.Path p, byte[] b)
            throws IOException {
        try (OutputStream o = fs.create(p, FileSystem.WriteMode.OVERWRITE)) {
            o.write(b);
        }
    }

    private static String append(String a, String b) {
        return a == null ? b : a + "; " + b;
    }

    private void say(String line) {
        if (progress != null) {
            progress.println(line);
            progress.flush();
        }
    }

    /** Builder; defaults: 1 % budget, fastest, no fine-tuning, no trainer. */
    public static final class Builder {
        private TeacherModel teacher;
        private Path features;
        private String out;
        private List<CompressionMethod> methods = allMethods();
        private double budget = 0.01;
        private Selection.Mode select = Selection.Mode.FASTEST;
        private boolean fineTune;
        private MlpTrainer trainer;
        private Benchmark benchmark = Benchmark.defaults();
        private int calibrationRows = 10_000;
        private PrintStream progress;
        private TableLoader tables = FeatureTable::load;
        private String reportName = "june";
        private ModelContract contract = ModelContract.of(SpecPlan.of(BundledSpec.flights()));

        private Builder() {}

        /**
         * How the training file is read and split, what the report split is called in metrics, and
         * what a registered variant is gated against; defaults: the built-in flights set, its
         * months, {@code june}.
         */
        public Builder split(TableLoader tables, String reportName, ModelContract contract) {
            this.tables = tables;
            this.reportName = reportName;
            this.contract = contract;
            return this;
        }

        public Builder teacher(TeacherModel teacher) {
            this.teacher = teacher;
            return this;
        }

        /** The training file; null for none (third-party models, no MAE). */
        public Builder features(Path features) {
            this.features = features;
            return this;
        }

        public Builder out(String registryRoot) {
            this.out = registryRoot;
            return this;
        }

        public Builder methods(List<CompressionMethod> methods) {
            this.methods = methods;
            return this;
        }

        /** Relative MAE budget, e.g. 0.01 for 1 %. */
        public Builder budget(double budget) {
            this.budget = budget;
            return this;
        }

        public Builder select(Selection.Mode select) {
            this.select = select;
            return this;
        }

        public Builder fineTune(boolean fineTune) {
            this.fineTune = fineTune;
            return this;
        }

        /** The DJL trainer, or null: methods that need it are then reported as skipped. */
        public Builder trainer(MlpTrainer trainer) {
            this.trainer = trainer;
            return this;
        }

        public Builder benchmark(Benchmark benchmark) {
            this.benchmark = benchmark;
            return this;
        }

        public Builder calibrationRows(int rows) {
            this.calibrationRows = rows;
            return this;
        }

        /** Where progress lines go (null: silent). */
        public Builder progress(PrintStream progress) {
            this.progress = progress;
            return this;
        }

        public CompressionJob build() {
            if (teacher == null) {
                throw new IllegalArgumentException("'teacher' must be set");
            }
            if (out == null || out.isBlank()) {
                throw new IllegalArgumentException("'out' must be set");
            }
            if (methods == null || methods.isEmpty()) {
                throw new IllegalArgumentException("'methods' must not be empty");
            }
            if (!(budget >= 0) || budget > 1) {
                throw new IllegalArgumentException("'budget' must be in [0, 1], got " + budget);
            }
            if (select == null || benchmark == null) {
                throw new IllegalArgumentException("'select' and 'benchmark' must be set");
            }
            if (calibrationRows < 1) {
                throw new IllegalArgumentException("'calibrationRows' must be positive");
            }
            return new CompressionJob(this);
        }
    }
}
