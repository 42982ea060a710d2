package dev.parity.compression.training;

import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.models.FeatureTable;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code parity train}: trains the teacher MLP on a features.csv, exports and verifies it, and
 * registers it with a full manifest. Prints June MAE/RMSE/R^2 next to the training-mean predictor
 * and {@code route_delay_mean_7d}. Exit code 3 (the model is still registered, for inspection) when
 * the teacher does not beat both baselines on June MAE, the metric it is trained for. {@code
 * --features-set online} trains on the online job's features only (the flights spec's online
 * inputs, {@link ModelContract#online}); its second baseline is then {@code
 * origin_delay_mean_30d_daily}.
 *
 * <p>{@code --student 64,32} also distils a student from the new teacher and registers it as
 * version {@code <version>-distill}; {@code --qat int8} fine-tunes the teacher with int8 fake
 * quantisation and registers the static int8 QDQ model as {@code <version>-qat-int8}.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Trains an MLP regressor with DJL/PyTorch on a training file, exports it to ONNX,"
                    + " checks ONNX Runtime against DJL and registers <out>/<name>/<version>.",
            "Built-in flights set: predicts the arrival delay; Jan-Apr train, May early stopping,"
                    + " June report. With --spec: predicts the spec's label from its numeric"
                    + " columns, rows split by time (--validation-from, --report-from;"
                    + " --features-set does not apply).",
            "Exit code 3: the model was registered but does not beat the baselines on the report"
                    + " MAE (flights: the training mean and a mean-delay feature; with --spec: the"
                    + " training mean)."
        })
public final class TrainCommand implements Callable<Integer> {
    static final int WORSE_THAN_BASELINE = 3;

    @Option(
            names = "--features",
            required = true,
            paramLabel = "FILE",
            description = "features.csv")
    Path features;

    @Option(
            names = "--features-set",
            defaultValue = "standard",
            paramLabel = "SET",
            description = {
                "What the model reads: standard (the spec's numeric columns; flights: the nine"
                        + " of flights_v1, the streaming job's) or online (its numeric context"
                        + " columns and daily features, for the online job; flights: distance,"
                        + " dep_hour, dep_dow, origin_delay_mean_30d_daily). Default:"
                        + " ${DEFAULT-VALUE}."
            })
    String featuresSet;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Model registry directory.")
    String out;

    @Option(
            names = "--name",
            defaultValue = "flights-mlp",
            description = "Model name. Default: ${DEFAULT-VALUE}.")
    String name;

    @Option(
            names = "--model-version",
            paramLabel = "N",
            description = "Model version. Default: one above the highest numeric version.")
    String version;

    @Option(
            names = "--hidden",
            defaultValue = "256,256",
            split = ",",
            description = "Hidden layer widths. Default: ${DEFAULT-VALUE}.")
    int[] hidden;

    @Option(
            names = "--epochs",
            defaultValue = "10",
            description = "Maximum epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(
            names = "--batch-size",
            defaultValue = "512",
            description = "Mini-batch size. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--lr",
            defaultValue = "0.001",
            description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
    float lr;

    @Option(names = "--seed", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--patience",
            defaultValue = "3",
            description =
                    "Epochs without a better validation MAE (flights: May) before stopping."
                            + " Default: 3.")
    int patience;

    @Option(
            names = "--rows-per-epoch",
            defaultValue = "0",
            description = "TRAIN rows drawn per epoch (0 = all). Default: ${DEFAULT-VALUE}.")
    int rowsPerEpoch;

    @Option(
            names = "--student",
            split = ",",
            paramLabel = "WIDTHS",
            description = "Also distil a student with these hidden widths (e.g. 64,32).")
    int[] student;

    @Option(
            names = "--qat",
            paramLabel = "int8",
            description =
                    "Also fine-tune the teacher with int8 fake quantisation (quantisation-aware"
                            + " training) and register the int8 QDQ model as <version>-qat-int8.")
    String qat;

    @Option(
            names = "--qat-epochs",
            defaultValue = "8",
            description =
                    "Most epochs of quantisation-aware fine-tuning. Default: ${DEFAULT-VALUE}.")
    int qatEpochs;

    @Mixin SpecSplitOptions split = new SpecSplitOptions();

    @Option(
            names = "--alpha",
            defaultValue = "0.5",
            description = "Student target: alpha * teacher + (1 - alpha) * label. Default: 0.5.")
    float alpha;

    /** What is trained: the contract, the table, the report split's name and the baseline. */
    private ModelContract contract;

    private String report;
    private String baselineColumn;

    /** The contract {@code --features-set} names for a spec. */
    static ModelContract specContract(SpecPlan plan, String set) {
        switch (set) {
            case "standard":
                return ModelContract.of(plan);
            case "online":
                ModelContract online = ModelContract.online(plan);
                if (online.inputColumns().isEmpty()) {
                    throw new IllegalArgumentException(
                            "--features-set online: spec "
                                    + plan.name()
                                    + " has no numeric context column and no daily feature");
                }
                return online;
            default:
                throw new IllegalArgumentException(
                        "--features-set: expected standard or online, got '" + set + "'");
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(features)) {
            throw new IllegalArgumentException("--features: cannot read '" + features + "'");
        }
        if (qat != null && !qat.equals("int8")) {
            throw new IllegalArgumentException("--qat: expected int8, got '" + qat + "'");
        }
        if (qatEpochs < 1) {
            throw new IllegalArgumentException("--qat-epochs must be positive, got " + qatEpochs);
        }
        long t0 = System.nanoTime();
        SpecPlan plan = split.plan();
        if (plan != null) {
            contract = specContract(plan, featuresSet);
            baselineColumn = null;
        } else {
            contract = specContract(SpecPlan.of(BundledSpec.flights()), featuresSet);
            baselineColumn = baselineColumn(contract);
        }
        report = split.reportName();
        FeatureTable table = split.load(features, contract.inputColumns());
        if (plan != null) {
            System.out.printf(
                    Locale.ROOT,
                    "spec %s: %d inputs, label %s; split by %s: validation from %s, report from"
                            + " %s%n",
                    plan.name(),
                    contract.inputColumns().size(),
                    split.labelColumn(),
                    split.timeColumn(),
                    table.validationFrom(),
                    table.reportFrom());
        }
        System.out.printf(
                Locale.ROOT,
                "loaded %,d labelled rows (%,d unlabelled skipped) in %.1f s%n",
                table.rows(),
                table.unlabelled(),
                (System.nanoTime() - t0) / 1e9);
        DjlMlpTrainer.Options options =
                DjlMlpTrainer.Options.builder()
                        .epochs(epochs)
                        .batchSize(batchSize)
                        .learningRate(lr)
                        .seed(seed)
                        .patience(patience)
                        .rowsPerEpoch(rowsPerEpoch)
                        .build();
        DjlMlpTrainer trainer = new DjlMlpTrainer(options);
        DjlMlpTrainer.Result result = trainer.train(table, hidden);
        Mlp mlp = result.mlp();
        byte[] onnx = MlpOnnx.export(mlp);
        int[] val = table.rowsOf(FeatureTable.Split.VALIDATION);
        double worst = trainer.verifyExport(mlp, onnx, table.features(val));
        System.out.printf(
                Locale.ROOT,
                "export verified: ONNX Runtime vs DJL on %,d validation rows, max scaled diff %.2e"
                        + " (<= %.0e)%n",
                val.length,
                worst,
                DjlMlpTrainer.TOLERANCE);

        int[] june = table.rowsOf(FeatureTable.Split.REPORT);
        if (june.length == 0) {
            throw new IllegalArgumentException(
                    features
                            + ": no "
                            + report
                            + " rows to report on (from "
                            + table.reportFrom()
                            + ")");
        }
        float[] y = table.labels(june);
        float[] pred = DjlMlpTrainer.ortPredict(onnx, mlp, table.features(june));
        float[] meanPred = new float[y.length];
        Arrays.fill(meanPred, trainLabelMean(table));
        float[] columnPred =
                baselineColumn == null
                        ? null
                        : columnBaseline(table, june, baselineColumn, mlp.preprocessing());

        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(report + "_mae", Metrics.mae(pred, y));
        metrics.put(report + "_rmse", Metrics.rmse(pred, y));
        metrics.put(report + "_r2", Metrics.r2(pred, y));
        metrics.put("val_mae", result.validationMae());
        metrics.put("train_rows", (double) result.trainRows());
        metrics.put("epochs", (double) result.epochs());
        metrics.put("best_epoch", (double) result.bestEpoch());
        metrics.put("train_seconds", result.seconds());
        metrics.put("parameters", (double) mlp.parameterCount());
        metrics.put("baseline_train_mean_" + report + "_mae", Metrics.mae(meanPred, y));
        String baselineKey =
                baselineColumn == null
                        ? null
                        : "baseline_" + baselineColumn + "_" + report + "_mae";
        if (baselineKey != null) {
            metrics.put(baselineKey, Metrics.mae(columnPred, y));
        }

        String v = version != null ? version : nextVersion();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("hidden", join(hidden));
        params.put("loss", "l1");
        params.put("optimizer", "adam");
        params.put("lr", Float.toString(lr));
        params.put("batch_size", Integer.toString(batchSize));
        params.put("max_epochs", Integer.toString(epochs));
        params.put("patience", Integer.toString(patience));
        params.put("rows_per_epoch", Integer.toString(rowsPerEpoch));
        params.put("seed", Long.toString(seed));
        params.put("training_file", features.getFileName().toString());
        params.put("feature_set", contract.name());
        if (plan != null) {
            params.put("validation_from", table.validationFrom().toString());
            params.put("report_from", table.reportFrom().toString());
        }
        String dir = register(mlp, onnx, v, metrics, null, "mlp-djl", params);

        System.out.printf(
                Locale.ROOT,
                "%n%-38s MAE     RMSE      R^2%n",
                (report.equals("june") ? "June" : "Report")
                        + String.format(" (%,d rows)", y.length));
        row("teacher mlp " + join(hidden), pred, y);
        row("baseline: train mean", meanPred, y);
        if (columnPred != null) {
            row("baseline: " + baselineColumn, columnPred, y);
        }
        System.out.printf(
                Locale.ROOT,
                "teacher: %,d parameters, %d epochs (best %d), %.1f s training -> %s%n",
                mlp.parameterCount(),
                result.epochs(),
                result.bestEpoch(),
                result.seconds(),
                dir);

        if (student != null) {
            distil(trainer, table, onnx, mlp, v, june, y);
        }
        if (qat != null) {
            quantisationAware(trainer, table, onnx, mlp, v, june, y, pred);
        }
        double mae = metrics.get(report + "_mae");
        if (mae >= metrics.get("baseline_train_mean_" + report + "_mae")
                || (baselineKey != null && mae >= metrics.get(baselineKey))) {
            System.out.println(
                    "WARNING: the teacher does not beat the baselines on "
                            + report
                            + " MAE; registered anyway for inspection, exit code "
                            + WORSE_THAN_BASELINE);
            return WORSE_THAN_BASELINE;
        }
        return 0;
    }

    private void distil(
            DjlMlpTrainer trainer,
            FeatureTable table,
            byte[] teacherOnnx,
            Mlp teacher,
            String teacherVersion,
            int[] june,
            float[] y)
            throws Exception {
        long t0 = System.nanoTime();
        byte[] onnx = trainer.distill(teacherOnnx, table, student, alpha);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Mlp s = MlpOnnx.parse(onnx);
        float[] pred = DjlMlpTrainer.ortPredict(onnx, s, table.features(june));
        float[] teacherPred = DjlMlpTrainer.ortPredict(teacherOnnx, teacher, table.features(june));
        double teacherMae = Metrics.mae(teacherPred, y);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(report + "_mae", Metrics.mae(pred, y));
        metrics.put(report + "_rmse", Metrics.rmse(pred, y));
        metrics.put(report + "_r2", Metrics.r2(pred, y));
        metrics.put("parameters", (double) s.parameterCount());
        metrics.put("teacher_" + report + "_mae", teacherMae);
        metrics.put("train_seconds", seconds);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("hidden", join(student));
        params.put("alpha", Float.toString(alpha));
        params.put("loss", "l1");
        params.put("seed", Long.toString(seed));
        String dir =
                register(
                        s,
                        onnx,
                        teacherVersion + "-distill",
                        metrics,
                        dev.parity.models.ModelGate.sha256(teacherOnnx),
                        "distill",
                        params);
        row("student mlp " + join(student), pred, y);
        System.out.printf(
                Locale.ROOT,
                "student: %,d parameters (%.1fx fewer), %s MAE %.1f%% of the teacher's, %.1f s"
                        + " -> %s%n",
                s.parameterCount(),
                (double) teacher.parameterCount() / s.parameterCount(),
                report,
                100 * metrics.get(report + "_mae") / teacherMae,
                seconds,
                dir);
    }

    private void quantisationAware(
            DjlMlpTrainer trainer,
            FeatureTable table,
            byte[] teacherOnnx,
            Mlp teacher,
            String teacherVersion,
            int[] june,
            float[] y,
            float[] teacherPred)
            throws Exception {
        long t0 = System.nanoTime();
        dev.parity.compression.spi.MlpTrainer.QuantizationAware q =
                trainer.quantizationAware(teacherOnnx, table, qatEpochs);
        double seconds = (System.nanoTime() - t0) / 1e9;
        float[] pred = DjlMlpTrainer.ortPredict(q.int8Onnx, teacher, table.features(june));
        double teacherMae = Metrics.mae(teacherPred, y);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(report + "_mae", Metrics.mae(pred, y));
        metrics.put(report + "_rmse", Metrics.rmse(pred, y));
        metrics.put(report + "_r2", Metrics.r2(pred, y));
        metrics.put("teacher_" + report + "_mae", teacherMae);
        metrics.put("val_mae_quantised", q.validationMae);
        metrics.put("epochs", (double) q.epochs);
        metrics.put("best_epoch", (double) q.bestEpoch);
        metrics.put("ort_vs_training_max_abs_diff", q.maxAbsDiff);
        metrics.put("train_seconds", seconds);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("format", "QDQ");
        params.put("weights", "int8 per output channel, symmetric");
        params.put("activations", "uint8 per tensor, ranges learned in training");
        params.put("max_epochs", Integer.toString(qatEpochs));
        params.put("seed", Long.toString(seed));
        String dir =
                register(
                        teacher,
                        q.int8Onnx,
                        teacherVersion + "-qat-int8",
                        metrics,
                        dev.parity.models.ModelGate.sha256(teacherOnnx),
                        "qat-int8",
                        params);
        row("qat int8 (QDQ)", pred, y);
        System.out.printf(
                Locale.ROOT,
                "qat int8: %,d bytes (%.2fx smaller), %s MAE %+.2f%% vs the teacher, best epoch %d"
                        + " of %d, ONNX Runtime vs training graph max |diff| %.2g, %.1f s -> %s%n",
                q.int8Onnx.length,
                (double) teacherOnnx.length / q.int8Onnx.length,
                report,
                100 * (metrics.get(report + "_mae") / teacherMae - 1),
                q.bestEpoch,
                q.epochs,
                q.maxAbsDiff,
                seconds,
                dir);
    }

    private String register(
            Mlp mlp,
            byte[] onnx,
            String v,
            Map<String, Double> metrics,
            String parentSha,
            String method,
            Map<String, String> params)
            throws Exception {
        ModelManifest m = new ModelManifest();
        m.createdAt = Instant.now().toString();
        m.featureSet = new ModelManifest.FeatureSetRef(contract.name(), contract.fingerprint());
        List<String> columns = contract.inputColumns();
        float[] defaults = mlp.preprocessing().defaults();
        for (int j = 0; j < columns.size(); j++) {
            m.inputs.add(new ModelManifest.Input(columns.get(j), defaults[j]));
        }
        m.inputTensor =
                new ModelManifest.TensorSpec(mlp.inputName(), List.of(-1L, (long) columns.size()));
        m.outputTensor = new ModelManifest.TensorSpec(mlp.outputName(), List.of(-1L, 1L));
        m.task = "regression";
        m.metrics.putAll(metrics);
        m.lineage = new ModelManifest.Lineage(parentSha, method, params);
        String dir = new ModelRegistry(out).register(name, v, onnx, m);
        // Whatever we register must load where it will be served.
        ModelRegistry.load(dir, ModelGate.builder().build(), contract);
        return dir;
    }

    private String nextVersion() throws Exception {
        long max = 0;
        for (String v : new ModelRegistry(out).versions(name)) {
            if (v.matches("\\d+")) {
                max = Math.max(max, Long.parseLong(v));
            }
        }
        return Long.toString(max + 1);
    }

    private static float trainLabelMean(FeatureTable table) {
        double s = 0;
        int[] rows = table.rowsOf(FeatureTable.Split.TRAIN);
        for (int i : rows) {
            s += table.label(i);
        }
        return (float) (s / rows.length);
    }

    /**
     * The set's most specific past mean delay, used as a prediction: {@code route_delay_mean_7d}
     * when the set has it, else the daily {@code origin_delay_mean_30d_daily}.
     */
    static String baselineColumn(ModelContract set) {
        List<String> columns = set.inputColumns();
        for (String c : List.of("route_delay_mean_7d", "origin_delay_mean_30d_daily")) {
            if (columns.contains(c)) {
                return c;
            }
        }
        throw new IllegalArgumentException(
                "feature set " + set.name() + " has no mean-delay feature to compare against");
    }

    /** {@code column} as the prediction, its training mean where it is null. */
    private float[] columnBaseline(
            FeatureTable table, int[] rows, String column, Preprocessing pre) {
        int j = contract.inputColumns().indexOf(column);
        float fallback = pre.defaults()[j];
        float[] out = new float[rows.length];
        for (int k = 0; k < rows.length; k++) {
            float v = table.feature(rows[k], j);
            out[k] = Float.isNaN(v) ? fallback : v;
        }
        return out;
    }

    private static void row(String label, float[] pred, float[] y) {
        System.out.printf(
                Locale.ROOT,
                "%-38s %7.3f  %7.3f  %7.4f%n",
                label,
                Metrics.mae(pred, y),
                Metrics.rmse(pred, y),
                Metrics.r2(pred, y));
    }

    private static String join(int[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ",").append(v[i]);
        }
        return sb.toString();
    }
}
