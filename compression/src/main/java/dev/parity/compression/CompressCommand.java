package dev.parity.compression;

import dev.parity.compression.spi.MlpTrainer;
import dev.parity.compression.training.SpecSplitOptions;
import dev.parity.models.ModelGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code parity compress}: compresses a teacher model with the chosen methods, measures every
 * variant next to it and registers them all with a report. The trainer for {@code distill} and
 * {@code --fine-tune} is the first {@link MlpTrainer} found by {@link ServiceLoader} (the DJL
 * module registers one); without it those steps are reported as skipped.
 */
@Command(
        name = "compress",
        mixinStandardHelpOptions = true,
        description = {
            "Compresses a model (fp16, int8-dynamic, int8-static, prune, lowrank, distill),"
                    + " measures every variant side by side with the teacher (size, parameters,"
                    + " latency at batch 1, throughput at batch 256, June MAE/RMSE, agreement),"
                    + " selects the fastest or smallest within the MAE budget and registers all"
                    + " of them as <out>/<name>/<version>-<method> with <out>/report.json and"
                    + " <out>/report.html.",
            "A bare third-party .onnx (no manifest, no labels) works too: quality is then the"
                    + " agreement with the teacher on generated inputs."
        })
public final class CompressCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR|FILE",
            description = "Model directory (model.onnx + manifest.json) or a bare .onnx file.")
    Path model;

    @Option(
            names = "--features",
            paramLabel = "FILE",
            description =
                    "features.csv (from `parity backfill`): calibration on the train rows, MAE on"
                            + " the report rows (flights: Jan-Apr and June; with --spec: split by"
                            + " time).")
    Path features;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Registry root.")
    String out;

    @Option(
            names = "--methods",
            split = ",",
            paramLabel = "M",
            description =
                    "Methods, comma-separated. Default: all of ${DEFAULT-VALUE}; qat"
                            + " (quantisation-aware int8, needs --features) only when named.",
            defaultValue = "fp16,int8-dynamic,int8-static,prune,lowrank,distill")
    List<String> methods;

    @Option(
            names = "--budget",
            defaultValue = "1%",
            description =
                    "Allowed relative MAE increase over the teacher (e.g. 1%% or 0.01). Default: 1%%.")
    String budget;

    @Option(
            names = "--select",
            defaultValue = "fastest",
            description =
                    "fastest (throughput at batch 256) or smallest (file size). Default: ${DEFAULT-VALUE}.")
    String select;

    @Option(
            names = "--fine-tune",
            description = "Fine-tune pruned and low-rank variants (needs a trainer).")
    boolean fineTune;

    @Option(
            names = "--name",
            description =
                    "Registry name for the variants (default: the manifest's or the file's name).")
    String name;

    @Option(
            names = "--max-bytes",
            defaultValue = "268435456",
            description = "Largest model file accepted. Default: ${DEFAULT-VALUE}.")
    long maxBytes;

    @Option(
            names = "--calibration-rows",
            defaultValue = "10000",
            description = "Rows used to calibrate int8-static. Default: ${DEFAULT-VALUE}.")
    int calibrationRows;

    @Mixin SpecSplitOptions split = new SpecSplitOptions();

    private final MlpTrainer trainer;

    /** With the trainer found on the class path, if any. */
    public CompressCommand() {
        this(ServiceLoader.load(MlpTrainer.class).findFirst().orElse(null));
    }

    /** With an explicit trainer (null: distill and fine-tuning are skipped). */
    public CompressCommand(MlpTrainer trainer) {
        this.trainer = trainer;
    }

    @Override
    public Integer call() throws Exception {
        if (features != null && !Files.isReadable(features)) {
            throw new IllegalArgumentException("--features: cannot read '" + features + "'");
        }
        if (maxBytes <= 0 || maxBytes > ModelGate.DEFAULT_MAX_BYTES * 8) {
            throw new IllegalArgumentException(
                    "--max-bytes must be in 1.." + ModelGate.DEFAULT_MAX_BYTES * 8);
        }
        Selection.Mode mode;
        try {
            mode = Selection.Mode.valueOf(select.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--select must be one of "
                            + Arrays.toString(Selection.Mode.values()).toLowerCase(Locale.ROOT)
                            + ", got '"
                            + select
                            + "'");
        }
        TeacherModel teacher = TeacherModel.load(model, maxBytes, name);
        System.out.println(
                "compress: "
                        + teacher.location()
                        + " as "
                        + teacher.name()
                        + "/"
                        + teacher.version()
                        + (trainer == null
                                ? " (no trainer: distill and fine-tuning will be skipped)"
                                : ""));
        CompressionJob.Builder job = CompressionJob.builder();
        if (split.plan() != null) {
            job.split(split::load, split.reportName(), split.contract());
        }
        job.teacher(teacher)
                .features(features)
                .out(out)
                .methods(CompressionJob.methods(methods))
                .budget(parseBudget(budget))
                .select(mode)
                .fineTune(fineTune)
                .trainer(trainer)
                .calibrationRows(calibrationRows)
                .progress(System.out)
                .build()
                .run();
        return 0;
    }

    /** {@code 1%} or {@code 0.01}. */
    static double parseBudget(String s) {
        try {
            String t = s.trim();
            double v =
                    t.endsWith("%")
                            ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100
                            : Double.parseDouble(t);
            if (!(v >= 0 && v <= 1)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--budget must be like 1% or 0.01 (0 to 100 %), got '" + s + "'");
        }
    }
}
