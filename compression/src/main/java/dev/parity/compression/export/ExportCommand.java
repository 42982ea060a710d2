package dev.parity.compression.export;

import dev.parity.compression.TeacherModel;
import dev.parity.models.ModelGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code parity export}: a model for an edge device (ORT format) or a browser (static page). */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Exports a model for a device and checks it by loading it back.",
            "--target edge: <out>/model.ort (ONNX Runtime format, optimised by ONNX Runtime),"
                    + " required_operators.config (the operators a reduced ONNX Runtime build"
                    + " needs), model.onnx, manifest.json and export.json (with the max |diff|"
                    + " of model.ort against model.onnx).",
            "--target web: <out>/index.html, a static page that runs model.onnx with"
                    + " onnxruntime-web "
                    + WebRuntime.VERSION
                    + " (installed with npm at export time, copied into <out>/ort/; no CDN),"
                    + " taking feature order and imputation from manifest.json. Serve <out> with"
                    + " any static web server.",
            "--int8 auto picks static QDQ quantisation for graphs with Conv layers (QLinearConv)"
                    + " and dynamic quantisation otherwise; calibration uses Jan-Apr rows of"
                    + " --features, or generated inputs."
        })
public final class ExportCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR|FILE",
            description =
                    "Model directory (model.onnx + manifest.json), or a bare .onnx (edge only).")
    Path model;

    @Option(
            names = "--target",
            required = true,
            paramLabel = "edge|web",
            description = "edge (ONNX Runtime format) or web (a static page).")
    String target;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Directory to create (must not exist, or be empty).")
    Path out;

    @Option(
            names = "--int8",
            defaultValue = "none",
            paramLabel = "none|auto|static|dynamic",
            description = "Export an int8 variant instead of the float model. Default: none.")
    String int8;

    @Option(
            names = "--features",
            paramLabel = "FILE",
            description =
                    "features.csv: int8 calibration on Jan-Apr rows, the check on June rows"
                            + " (default: generated inputs).")
    Path features;

    @Option(
            names = "--calibration-rows",
            defaultValue = "10000",
            description = "Rows to calibrate int8 static on. Default: ${DEFAULT-VALUE}.")
    int calibrationRows;

    @Option(
            names = "--check-rows",
            defaultValue = "10000",
            description = "Rows the loaded-back model is compared on. Default: ${DEFAULT-VALUE}.")
    int checkRows;

    @Option(
            names = "--optimization",
            defaultValue = "extended",
            paramLabel = "basic|extended",
            description =
                    "ONNX Runtime graph optimisations baked into model.ort: basic (portable"
                            + " rewrites only) or extended (also ONNX Runtime's fused and QLinear"
                            + " kernels for the CPU provider). Default: ${DEFAULT-VALUE}.")
    String optimization;

    @Option(
            names = "--max-bytes",
            defaultValue = "268435456",
            description = "Largest model file accepted. Default: ${DEFAULT-VALUE}.")
    long maxBytes;

    @Override
    public Integer call() throws Exception {
        if (features != null && !Files.isReadable(features)) {
            throw new IllegalArgumentException("--features: cannot read '" + features + "'");
        }
        if (maxBytes <= 0 || maxBytes > ModelGate.DEFAULT_MAX_BYTES * 8) {
            throw new IllegalArgumentException(
                    "--max-bytes must be in 1.." + ModelGate.DEFAULT_MAX_BYTES * 8);
        }
        ModelExport.Target t = parse(ModelExport.Target.class, "--target", target);
        ModelExport.Int8 q = parse(ModelExport.Int8.class, "--int8", int8);
        ModelExport.Optimization o =
                parse(ModelExport.Optimization.class, "--optimization", optimization);
        TeacherModel teacher = TeacherModel.load(model, maxBytes, null);
        ModelExport.builder()
                .teacher(teacher)
                .target(t)
                .out(out)
                .int8(q)
                .features(features)
                .calibrationRows(calibrationRows)
                .checkRows(checkRows)
                .optimization(o)
                .progress(System.out)
                .build()
                .run();
        return 0;
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String option, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    option
                            + " must be one of "
                            + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT)
                            + ", got '"
                            + value
                            + "'");
        }
    }
}
