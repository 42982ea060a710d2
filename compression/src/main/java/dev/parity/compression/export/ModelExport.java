package dev.parity.compression.export;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.parity.compression.TeacherInputs;
import dev.parity.compression.TeacherModel;
import dev.parity.compression.eval.Evaluation;
import dev.parity.compression.eval.ModelInputs;
import dev.parity.compression.eval.OrtModel;
import dev.parity.compression.methods.CompressionMethod;
import dev.parity.compression.methods.Int8DynamicMethod;
import dev.parity.compression.methods.Int8StaticMethod;
import dev.parity.compression.methods.MethodContext;
import dev.parity.compression.methods.Variant;
import dev.parity.models.FeatureTable;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Exports a model for a device: {@code edge} writes the ONNX Runtime format ({@code model.ort},
 * made by ONNX Runtime's own optimiser, the Java API's optimized-model output with {@code
 * session.save_model_format=ORT}), the operator list a reduced ONNX Runtime build needs ({@code
 * required_operators.config}, the format of ONNX Runtime's {@code --include_ops_by_config}); {@code
 * web} writes a static page that runs the model with onnxruntime-web ({@link WebPage}). Both carry
 * {@code model.onnx}, its {@code manifest.json} and {@code export.json}, and optionally replace the
 * float model by an int8 variant (static QDQ for graphs with convolutions, where ONNX Runtime's
 * dynamic path is slow, dynamic otherwise). The result is loaded back and its predictions compared
 * with the model it was made from before anything is kept: the output directory appears complete or
 * not at all.
 *
 * <pre>{@code
 * ExportReport r = ModelExport.builder()
 *         .teacher(TeacherModel.load(Path.of("models/bundled/flights-linear/1"), 64 << 20, null))
 *         .target(ModelExport.Target.EDGE)
 *         .out(Path.of("out/edge"))
 *         .build()
 *         .run();
 * }</pre>
 */
public final class ModelExport {
    /** Where the model goes. */
    public enum Target {
        EDGE,
        WEB
    }

    /** Which weights the exported model carries. */
    public enum Int8 {
        /** float32, as trained. */
        NONE,
        /** static QDQ when the graph has a Conv, dynamic otherwise. */
        AUTO,
        STATIC,
        DYNAMIC
    }

    /** ONNX Runtime's graph optimisation level baked into the {@code .ort} file. */
    public enum Optimization {
        BASIC(OrtSession.SessionOptions.OptLevel.BASIC_OPT),
        EXTENDED(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);

        final OrtSession.SessionOptions.OptLevel level;

        Optimization(OrtSession.SessionOptions.OptLevel level) {
            this.level = level;
        }
    }

    private static final int GENERATED_CHECK_ROWS = 1024;
    private static final int WEB_CHECK_ROWS = 64;

    private final TeacherModel teacher;
    private final Target target;
    private final Path out;
    private final Int8 int8;
    private final Path features;
    private final int calibrationRows;
    private final int checkRows;
    private final Optimization optimization;
    private final WebRuntime webRuntime;
    private final PrintStream progress;

    private ModelExport(Builder b) {
        this.teacher = b.teacher;
        this.target = b.target;
        this.out = b.out;
        this.int8 = b.int8;
        this.features = b.features;
        this.calibrationRows = b.calibrationRows;
        this.checkRows = b.checkRows;
        this.optimization = b.optimization;
        this.webRuntime = b.webRuntime;
        this.progress = b.progress;
    }

    public static Builder builder() {
        return new Builder();
    }

    public ExportReport run() throws Exception {
        if (Files.exists(out)) {
            try (Stream<Path> s = Files.list(out)) {
                if (!Files.isDirectory(out) || s.findAny().isPresent()) {
                    throw new IllegalArgumentException(
                            "--out: " + out + " already exists and is not an empty directory");
                }
            }
        }
        ModelManifest manifest = teacher.manifest();
        if (target == Target.WEB && manifest == null) {
            throw new IllegalArgumentException(
                    "--model: the web page takes its feature order and imputation defaults from"
                            + " manifest.json; give a model directory, not a bare .onnx");
        }
        // Inputs: June rows of a training file, or generated ones.
        FeatureTable table = null;
        if (features != null) {
            if (manifest == null) {
                throw new IllegalArgumentException(
                        "--features needs a model directory with a manifest (input order and"
                                + " imputation defaults); a bare .onnx has neither");
            }
            say("loading " + features + " ...");
            table = FeatureTable.load(features, manifest.inputNames());
            if (table.rowsOf(FeatureTable.Split.REPORT).length == 0
                    || table.rowsOf(FeatureTable.Split.TRAIN).length == 0) {
                throw new IllegalArgumentException(
                        "--features: " + features + " needs TRAIN (Jan-Apr) and June rows");
            }
        }
        ModelInputs check =
                table != null
                        ? TeacherInputs.reportRows(table, manifest, checkRows)
                        : TeacherInputs.generated(teacher);
        List<ModelInputs.Batch> checkBatches =
                check.fromData()
                        ? check.batches(check.availableRows(), 4096)
                        : check.batches(Math.min(checkRows, GENERATED_CHECK_ROWS), 256);

        ExportReport report = new ExportReport();
        report.target = target.name().toLowerCase(Locale.ROOT);
        report.source = teacher.location();
        report.sourceSha256 = ModelGate.sha256(teacher.bytes());
        report.onnxRuntime = OrtEnvironment.getEnvironment().getVersion();

        // The model to export: the teacher or its int8 variant.
        byte[] onnx = teacher.bytes();
        String variant = "float32";
        Map<String, String> lineage = new LinkedHashMap<>();
        List<Map<String, float[]>> teacherOut = Evaluation.outputs(onnx, checkBatches);
        if (int8 != Int8.NONE) {
            Variant v = int8Variant(table, checkBatches, teacherOut);
            onnx = v.onnx();
            variant = v.suffix();
            lineage.putAll(v.parameters());
            report.int8Notes.addAll(v.notes());
            List<Map<String, float[]>> vout = Evaluation.outputs(onnx, checkBatches);
            double[] agree = Evaluation.agreement(teacherOut, vout);
            report.maxAbsDiffVsFloat = agree[0];
            report.meanAbsDiffVsFloat = agree[1];
            report.meanAbsFloatOutput = Evaluation.meanAbs(teacherOut);
            teacherOut = vout;
        }
        teacher.gate().checkFile(variant, onnx);
        report.variant = variant;

        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + out.getFileName() + ".partial-");
        try {
            Files.write(tmp.resolve("model.onnx"), onnx);
            report.files.put("model.onnx", FileInfo.of(tmp.resolve("model.onnx")));
            ModelManifest m = exportedManifest(manifest, onnx, variant, lineage);
            Files.write(tmp.resolve("manifest.json"), m.toJson());
            report.files.put("manifest.json", FileInfo.of(tmp.resolve("manifest.json")));
            if (target == Target.EDGE) {
                edge(tmp, onnx, checkBatches, teacherOut, report);
            } else {
                web(tmp, report, table, checkBatches, teacherOut);
            }
            if (report.check.rows == null) {
                report.check.rows = checkBatches.stream().mapToInt(b -> b.rows).sum();
            }
            report.check.inputs = check.description();
            Files.write(tmp.resolve("export.json"), report.toJson());
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            readableByAll(
                    out); // a temp directory is private; a static server may run as another user
        } catch (Exception | Error e) {
            deleteTree(tmp);
            throw e;
        }
        say(
                String.format(
                        Locale.ROOT,
                        "wrote %s (%s, %s)%s",
                        out,
                        report.target,
                        variant,
                        report.check.maxAbsDiff == null
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        ": loaded back, max |diff| %.3g over %,d rows",
                                        report.check.maxAbsDiff,
                                        report.check.rows)));
        return report;
    }

    /** The int8 variant of the teacher: the calibrator that agrees best on the check rows. */
    private Variant int8Variant(
            FeatureTable table,
            List<ModelInputs.Batch> checkBatches,
            List<Map<String, float[]>> teacherOut)
            throws Exception {
        boolean hasConv =
                teacher.model().getGraph().getNodeList().stream()
                        .anyMatch(n -> n.getOpType().equals("Conv"));
        boolean useStatic = int8 == Int8.STATIC || (int8 == Int8.AUTO && hasConv);
        ModelInputs calibration =
                table != null
                        ? TeacherInputs.trainRows(table, teacher.manifest(), calibrationRows)
                        : TeacherInputs.generated(teacher);
        CompressionMethod method =
                useStatic ? new Int8StaticMethod(calibrationRows, 99.99) : new Int8DynamicMethod();
        say(
                "int8: "
                        + method.name()
                        + (int8 == Int8.AUTO
                                ? hasConv
                                        ? " (auto: the graph has Conv layers)"
                                        : " (auto: no Conv layer)"
                                : "")
                        + " ...");
        MethodContext ctx =
                new MethodContext(teacher.bytes(), teacher.model(), table, null, calibration);
        List<Variant> made = method.apply(ctx);
        Variant best = null;
        double bestDiff = Double.POSITIVE_INFINITY;
        for (Variant v : made) {
            if (!useStatic && !v.suffix().equals("int8-dynamic")) {
                continue; // the dense-only variant is compress's business
            }
            double d =
                    Evaluation.agreement(teacherOut, Evaluation.outputs(v.onnx(), checkBatches))[1];
            if (d < bestDiff) {
                bestDiff = d;
                best = v;
            }
        }
        if (best == null) {
            throw new IllegalStateException(method.name() + " made no variant");
        }
        return best;
    }

    private void edge(
            Path dir,
            byte[] onnx,
            List<ModelInputs.Batch> checkBatches,
            List<Map<String, float[]>> expected,
            ExportReport report)
            throws Exception {
        Path ort = dir.resolve("model.ort");
        Path optimizedOnnx = Files.createTempFile(dir.getParent(), ".optimized-", ".onnx");
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            // The same optimiser, level and graph, written once as ORT format and once as ONNX
            // (whose protobuf we can read) for the operator list.
            for (Path p : List.of(ort, optimizedOnnx)) {
                try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                    o.setOptimizationLevel(optimization.level);
                    o.setOptimizedModelFilePath(p.toString());
                    if (p.equals(ort)) {
                        o.addConfigEntry("session.save_model_format", "ORT");
                    }
                    env.createSession(onnx, o).close();
                }
            }
            OnnxMl.ModelProto optimized =
                    OnnxMl.ModelProto.parseFrom(Files.readAllBytes(optimizedOnnx));
            report.operators = operators(optimized);
            Files.write(
                    dir.resolve("required_operators.config"),
                    requiredOperatorsConfig(report.operators, optimized)
                            .getBytes(StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(optimizedOnnx);
        }
        report.optimization = optimization.name().toLowerCase(Locale.ROOT);
        report.files.put("model.ort", FileInfo.of(ort));
        report.files.put(
                "required_operators.config", FileInfo.of(dir.resolve("required_operators.config")));
        // Load the .ort back as a reduced runtime would (no further optimisation) and compare.
        List<Map<String, float[]>> got = new ArrayList<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            o.setIntraOpNumThreads(1);
            o.addConfigEntry("session.load_model_format", "ORT");
            try (OrtSession s = env.createSession(ort.toString(), o)) {
                for (ModelInputs.Batch b : checkBatches) {
                    got.add(OrtModel.run(env, s, b));
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("the written model.ort does not load: " + e, e);
        }
        double[] agree = Evaluation.agreement(expected, got);
        report.check.against = "model.onnx in ONNX Runtime Java (all optimisations)";
        report.check.maxAbsDiff = agree[0];
        report.check.meanAbsDiff = agree[1];
        if (!(agree[0] <= 1e-3 * Math.max(1, Evaluation.meanAbs(expected)))) {
            throw new IllegalStateException(
                    "model.ort disagrees with model.onnx: max |diff| " + agree[0]);
        }
    }

    private void web(
            Path dir,
            ExportReport report,
            FeatureTable table,
            List<ModelInputs.Batch> checkBatches,
            List<Map<String, float[]>> expected)
            throws IOException {
        webRuntime.copyInto(dir.resolve(WebPage.RUNTIME_DIR));
        WebPage.write(dir);
        report.onnxRuntimeWeb = webRuntime.version();
        // check.json: rows as the page receives them (nulls where the data has none, so the
        // page's imputation is exercised) and ONNX Runtime Java's predictions for them.
        ModelManifest manifest = teacher.manifest();
        int d = manifest.inputs.size();
        ModelInputs.Batch first = checkBatches.get(0);
        int n = Math.min(WEB_CHECK_ROWS, first.rows);
        float[] raw;
        if (table != null) {
            int[] june = table.rowsOf(FeatureTable.Split.REPORT);
            raw = table.features(java.util.Arrays.copyOf(june, n));
        } else {
            raw = first.values.get(manifest.inputTensor.name);
        }
        float[] y = expected.get(0).get(manifest.outputTensor.name);
        int width = y.length / first.rows;
        List<List<Float>> rows = new ArrayList<>();
        List<Float> predictions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Float> row = new ArrayList<>();
            for (int j = 0; j < d; j++) {
                float v = raw[i * d + j];
                row.add(Float.isNaN(v) ? null : v);
            }
            rows.add(row);
            predictions.add(y[i * width]);
        }
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("rows", rows);
        check.put("predictions", predictions);
        check.put("predicted_by", "ONNX Runtime Java " + report.onnxRuntime);
        Files.write(
                dir.resolve("check.json"),
                new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(check));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String rel = dir.relativize(p).toString().replace('\\', '/');
                report.files.putIfAbsent(rel, FileInfo.of(p));
            }
        }
        report.check.rows = n;
        report.check.rows = n;
        report.check.against =
                "check.json: ONNX Runtime Java's predictions for these rows; the page compares"
                        + " (parity.selfCheck()) in a browser";
    }

    /** Operators of the optimised graph, {@code domain -> sorted op types}. */
    static Map<String, List<String>> operators(OnnxMl.ModelProto m) {
        Map<String, TreeSet<String>> ops = new TreeMap<>();
        for (OnnxMl.NodeProto n : m.getGraph().getNodeList()) {
            String d = n.getDomain().isEmpty() ? "ai.onnx" : n.getDomain();
            ops.computeIfAbsent(d, k -> new TreeSet<>()).add(n.getOpType());
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        ops.forEach((d, s) -> out.put(d, new ArrayList<>(s)));
        return out;
    }

    /** {@code domain;opset;Op1,Op2} lines, one per domain, as ONNX Runtime's tools write them. */
    static String requiredOperatorsConfig(
            Map<String, List<String>> operators, OnnxMl.ModelProto m) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Operators model.ort needs, by domain and opset (ONNX Runtime's reduced-build")
                .append(" config format: --include_ops_by_config)\n");
        for (Map.Entry<String, List<String>> e : operators.entrySet()) {
            long opset = 1;
            for (OnnxMl.OperatorSetIdProto o : m.getOpsetImportList()) {
                String d = o.getDomain().isEmpty() ? "ai.onnx" : o.getDomain();
                if (d.equals(e.getKey())) {
                    opset = o.getVersion();
                }
            }
            sb.append(e.getKey())
                    .append(';')
                    .append(opset)
                    .append(';')
                    .append(String.join(",", e.getValue()))
                    .append('\n');
        }
        return sb.toString();
    }

    private ModelManifest exportedManifest(
            ModelManifest manifest, byte[] onnx, String variant, Map<String, String> params)
            throws IOException {
        ModelManifest m =
                manifest != null
                        ? ModelManifest.fromJson(manifest.toJson())
                        : TeacherInputs.bareManifest(teacher.model());
        m.sha256 = ModelGate.sha256(onnx);
        if (m.name == null) {
            m.name = teacher.name();
            m.version = teacher.version();
        }
        if (!variant.equals("float32")) {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("parent", teacher.name() + "/" + teacher.version());
            p.putAll(params);
            m.lineage = new ModelManifest.Lineage(ModelGate.sha256(teacher.bytes()), variant, p);
            m.metrics = new LinkedHashMap<>();
        }
        return m;
    }

    private static void readableByAll(Path dir) throws IOException {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            java.nio.file.Files.setPosixFilePermissions(
                    dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(x);
            }
        }
    }

    private void say(String line) {
        if (progress != null) {
            progress.println(line);
            progress.flush();
        }
    }

    /** Builder; defaults: float32, extended optimisation, 10,000 calibration and check rows. */
    public static final class Builder {
        private TeacherModel teacher;
        private Target target;
        private Path out;
        private Int8 int8 = Int8.NONE;
        private Path features;
        private int calibrationRows = 10_000;
        private int checkRows = 10_000;
        private Optimization optimization = Optimization.EXTENDED;
        private WebRuntime webRuntime;
        private PrintStream progress;

        private Builder() {}

        public Builder teacher(TeacherModel teacher) {
            this.teacher = teacher;
            return this;
        }

        public Builder target(Target target) {
            this.target = target;
            return this;
        }

        /** The directory to create; it must not exist or be empty. */
        public Builder out(Path out) {
            this.out = out;
            return this;
        }

        public Builder int8(Int8 int8) {
            this.int8 = int8;
            return this;
        }

        /** A training file: int8 calibration on Jan-Apr rows, the check on June rows. */
        public Builder features(Path features) {
            this.features = features;
            return this;
        }

        public Builder calibrationRows(int rows) {
            this.calibrationRows = rows;
            return this;
        }

        public Builder checkRows(int rows) {
            this.checkRows = rows;
            return this;
        }

        public Builder optimization(Optimization optimization) {
            this.optimization = optimization;
            return this;
        }

        /** Where the web target's onnxruntime-web files come from (default: npm, pinned). */
        public Builder webRuntime(WebRuntime webRuntime) {
            this.webRuntime = webRuntime;
            return this;
        }

        public Builder progress(PrintStream progress) {
            this.progress = progress;
            return this;
        }

        public ModelExport build() {
            if (teacher == null) {
                throw new IllegalArgumentException("'teacher' must be set");
            }
            if (target == null) {
                throw new IllegalArgumentException("'target' must be set (edge or web)");
            }
            if (out == null || out.getFileName() == null) {
                throw new IllegalArgumentException("'out' must be a directory path");
            }
            if (int8 == null || optimization == null) {
                throw new IllegalArgumentException("'int8' and 'optimization' must be set");
            }
            if (calibrationRows < 1 || checkRows < 1) {
                throw new IllegalArgumentException(
                        "'calibrationRows' and 'checkRows' must be positive");
            }
            if (target == Target.WEB && webRuntime == null) {
                webRuntime = WebRuntime.fromNpm();
            }
            return new ModelExport(this);
        }
    }
}
