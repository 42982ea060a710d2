package dev.parity.compression.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.parity.compression.TeacherModel;
import dev.parity.compression.TestingModels;
import dev.parity.models.ModelManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export --target edge}: an ORT-format file that loads back and agrees, with its ops. */
class EdgeExportTest {
    private static final long MAX = 64 << 20;

    @TempDir Path tmp;

    private static TeacherModel mlp() {
        byte[] onnx = TestingModels.mlp(32, 16);
        return TeacherModel.of(
                "mlp", onnx, TestingModels.manifestFor(onnx), "flights-mlp", "1", MAX);
    }

    @Test
    void writesAnOrtFileThatLoadsBackAndAgrees() throws Exception {
        Path out = tmp.resolve("edge");
        ExportReport r =
                ModelExport.builder()
                        .teacher(mlp())
                        .target(ModelExport.Target.EDGE)
                        .out(out)
                        .build()
                        .run();
        assertThat(out.resolve("model.ort")).isRegularFile();
        byte[] ort = Files.readAllBytes(out.resolve("model.ort"));
        // ORT format is a flatbuffer with the "ORTM" file identifier at offset 4.
        assertThat(new String(ort, 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ORTM");
        assertThat(r.variant).isEqualTo("float32");
        assertThat(r.check.rows).isEqualTo(1024);
        assertThat(r.check.maxAbsDiff).isNotNull().isLessThan(1e-4);
        assertThat(r.operators.get("ai.onnx")).contains("Gemm");
        String config = Files.readString(out.resolve("required_operators.config"));
        assertThat(config).containsPattern("(?m)^ai\\.onnx;\\d+;.*Gemm");
        ModelManifest m = ModelManifest.fromJson(Files.readAllBytes(out.resolve("manifest.json")));
        assertThat(m.sha256).isEqualTo(r.files.get("model.onnx").sha256);
        assertThat(m.inputNames()).hasSize(9);
        ExportReport back = ExportReport.fromJson(Files.readAllBytes(out.resolve("export.json")));
        assertThat(back.files).containsKeys("model.ort", "model.onnx", "manifest.json");
        assertThat(back.files.get("model.ort").bytes).isEqualTo(ort.length);
        // A reduced runtime would load it as it is: no optimisation at load.
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession s =
                    OrtEnvironment.getEnvironment()
                            .createSession(out.resolve("model.ort").toString(), o)) {
                assertThat(s.getInputNames()).containsExactly("features");
            }
        }
        try (var files = Files.list(tmp)) {
            assertThat(files).containsExactly(out); // no partial or temporary files left
        }
    }

    @Test
    void int8AutoOnAConvGraphIsStaticAndRunsAsQLinearConv() throws Exception {
        byte[] cnn = TestingModels.speechCnn();
        Path out = tmp.resolve("edge-int8");
        ExportReport r =
                ModelExport.builder()
                        .teacher(TeacherModel.of("speech.onnx", cnn, null, "speech", "1", MAX))
                        .target(ModelExport.Target.EDGE)
                        .int8(ModelExport.Int8.AUTO)
                        .calibrationRows(256)
                        .out(out)
                        .build()
                        .run();
        assertThat(r.variant).startsWith("int8-static-");
        assertThat(r.operators.get("ai.onnx")).contains("QLinearConv");
        assertThat(r.operators.get("com.microsoft")).contains("QLinearLeakyRelu");
        assertThat(Files.readString(out.resolve("required_operators.config")))
                .containsPattern("(?m)^com\\.microsoft;1;.*QLinearLeakyRelu");
        assertThat(r.check.maxAbsDiff).isLessThan(1e-4);
        assertThat(r.meanAbsDiffVsFloat).isLessThan(0.05 * r.meanAbsFloatOutput);
        ModelManifest m = ModelManifest.fromJson(Files.readAllBytes(out.resolve("manifest.json")));
        assertThat(m.lineage.method).isEqualTo(r.variant);
        assertThat(m.lineage.parameters).containsEntry("format", "QDQ");
    }

    @Test
    void basicOptimisationKeepsTheQdqNodesForTheDevice() throws Exception {
        Path out = tmp.resolve("edge-basic");
        ExportReport r =
                ModelExport.builder()
                        .teacher(
                                TeacherModel.of(
                                        "speech.onnx",
                                        TestingModels.speechCnn(),
                                        null,
                                        "speech",
                                        "1",
                                        MAX))
                        .target(ModelExport.Target.EDGE)
                        .int8(ModelExport.Int8.STATIC)
                        .optimization(ModelExport.Optimization.BASIC)
                        .calibrationRows(128)
                        .out(out)
                        .build()
                        .run();
        assertThat(r.operators.get("ai.onnx"))
                .contains("QuantizeLinear", "DequantizeLinear", "Conv")
                .doesNotContain("QLinearConv");
        assertThat(r.optimization).isEqualTo("basic");
    }

    @Test
    void refusesANonEmptyOutputDirectoryAndWritesNothing() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        assertThatThrownBy(
                        () ->
                                ModelExport.builder()
                                        .teacher(mlp())
                                        .target(ModelExport.Target.EDGE)
                                        .out(out)
                                        .build()
                                        .run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--out")
                .hasMessageContaining("busy");
        try (var files = Files.list(out)) {
            assertThat(files)
                    .extracting(p -> p.getFileName().toString())
                    .containsExactly("keep.txt");
        }
    }

    @Test
    void webNeedsAManifest() {
        assertThatThrownBy(
                        () ->
                                ModelExport.builder()
                                        .teacher(
                                                TeacherModel.of(
                                                        "speech.onnx",
                                                        TestingModels.speechCnn(),
                                                        null,
                                                        "speech",
                                                        "1",
                                                        MAX))
                                        .target(ModelExport.Target.WEB)
                                        .webRuntime(WebRuntime.cachedIn(tmp.resolve("cache")))
                                        .out(tmp.resolve("web"))
                                        .build()
                                        .run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("manifest.json");
        assertThat(tmp.resolve("web")).doesNotExist();
        assertThat(List.of(tmp.toFile().list())).doesNotContain("web");
    }
}
