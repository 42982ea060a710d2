package dev.parity.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.eval.Benchmark;
import dev.parity.compression.eval.OrtModel;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import dev.parity.models.ModelRejectedException;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole job: methods, checks, measurement, selection, registration and reports. */
class CompressionJobTest {
    private static final Benchmark QUICK = new Benchmark(1, 2, 5, 2, 64);

    @TempDir Path tmp;

    /** A small training file: 400 flights a month, Jan-Jun 2001, some null features. */
    static Path featuresCsv(Path dir) throws Exception {
        Path csv = dir.resolve("features.csv");
        SplittableRandom r = new SplittableRandom(1);
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write(
                    "id,dep_time,origin,dest,distance,dep_hour,dep_dow,origin_dep_1h,dest_arr_1h,"
                            + "origin_delay_mean_6h,dest_delay_mean_1h,route_delay_mean_7d,"
                            + "origin_delay_mean_30d_daily,delay\n");
            int id = 0;
            for (int month = 1; month <= 6; month++) {
                for (int i = 0; i < 400; i++) {
                    LocalDate day = LocalDate.of(2001, month, 1 + i % 28);
                    int hour = r.nextInt(24);
                    double o6 = r.nextDouble() * 40 - 5;
                    String o6s = r.nextInt(10) == 0 ? "" : Double.toString(o6);
                    double delay = 5 + 0.6 * o6 + r.nextDouble() * 20 - 10;
                    w.write(
                            String.format(
                                    Locale.ROOT,
                                    "%d,%sT%02d:00:00Z,ATL,SFO,%d,%d,%d,%d,%d,%s,%s,%s,%s,%d%n",
                                    id++,
                                    day,
                                    hour,
                                    200 + r.nextInt(2000),
                                    hour,
                                    day.getDayOfWeek().getValue(),
                                    r.nextInt(40),
                                    r.nextInt(40),
                                    o6s,
                                    r.nextInt(5) == 0 ? "" : Double.toString(r.nextDouble() * 30),
                                    Double.toString(r.nextDouble() * 30),
                                    Double.toString(r.nextDouble() * 20),
                                    Math.round(delay)));
                }
            }
        }
        return csv;
    }

    static Path modelDir(Path dir, byte[] onnx) throws Exception {
        Path m = dir.resolve("teacher");
        Files.createDirectories(m);
        Files.write(m.resolve("model.onnx"), onnx);
        Files.write(m.resolve("manifest.json"), TestingModels.manifestFor(onnx).toJson());
        return m;
    }

    @Test
    void flightsMlpEveryVariantRegisteredGatedAndReported() throws Exception {
        byte[] teacherBytes = TestingModels.mlp(64, 64);
        Path out = tmp.resolve("registry");
        TeacherModel teacher =
                TeacherModel.load(modelDir(tmp, teacherBytes), ModelGate.DEFAULT_MAX_BYTES, null);
        CompressionReport r =
                CompressionJob.builder()
                        .teacher(teacher)
                        .features(featuresCsv(tmp))
                        .out(out.toString())
                        .benchmark(QUICK)
                        .calibrationRows(500)
                        .fineTune(true)
                        .build()
                        .run();

        assertThat(r.models.get(0).method).isEqualTo("teacher");
        assertThat(r.models.get(0).mae).isPositive();
        assertThat(r.models)
                .extracting(e -> e.version)
                .contains(
                        "1",
                        "1-fp16",
                        "1-int8-dynamic",
                        "1-int8-static-minmax",
                        "1-int8-static-p9999",
                        "1-prune-s50",
                        "1-prune-s70",
                        "1-prune-s90",
                        "1-prune-n25",
                        "1-prune-n50",
                        "1-lowrank-t50");
        assertThat(r.methods)
                .filteredOn(m -> m.method.equals("distill"))
                .singleElement()
                .satisfies(
                        m -> {
                            assertThat(m.status).isEqualTo("skipped");
                            assertThat(m.reason).contains("no trainer");
                        });
        assertThat(r.methods)
                .filteredOn(m -> m.method.equals("prune"))
                .singleElement()
                .satisfies(m -> assertThat(m.reason).contains("fine-tune skipped: no trainer"));
        String teacherSha = ModelGate.sha256(teacherBytes);
        for (CompressionReport.Entry e : r.models) {
            // Every written model passes the full gate (sha256, features, tensors) and runs.
            ModelRegistry.LoadedModel loaded =
                    ModelRegistry.load(
                            e.directory, ModelGate.builder().build(), TestingModels.CONTRACT);
            assertThat(loaded.manifest().sha256).isEqualTo(e.sha256);
            try (OrtModel m = OrtModel.open(loaded.bytes())) {
                assertThat(m.floatOutputs()).containsExactly("prediction");
            }
            assertThat(e.latencyP50Micros).isPositive();
            assertThat(e.batchRowsPerSecond).isPositive();
            assertThat(e.mae).isNotNull();
            if (!e.method.equals("teacher")) {
                ModelManifest.Lineage l = loaded.manifest().lineage;
                assertThat(l.parentSha256).isEqualTo(teacherSha);
                assertThat(l.method).isEqualTo(e.method);
                assertThat(l.parameters).containsEntry("parent", "flights-mlp/1");
                assertThat(loaded.manifest().metrics).containsKeys("june_mae", "size_bytes");
            }
        }
        assertThat(r.models.stream().filter(e -> e.selected).count()).isEqualTo(1);
        assertThat(r.selected).isNotNull();
        assertThat(r.selectionReason).isNotBlank();

        CompressionReport json =
                CompressionReport.fromJson(Files.readAllBytes(out.resolve("report.json")));
        assertThat(json.models).hasSameSizeAs(r.models);
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("<svg", "Pareto", r.selected, "int8-dynamic", "no trainer");
        assertThat(html).doesNotContain("<script", "src=", "href=");
    }

    @Test
    void trainerDistillsAndFineTunes() throws Exception {
        byte[] teacherBytes = TestingModels.mlp(32, 32);
        TestingTrainer trainer = new TestingTrainer();
        CompressionReport r =
                CompressionJob.builder()
                        .teacher(TeacherModel.load(modelDir(tmp, teacherBytes), 1 << 20, null))
                        .features(featuresCsv(tmp))
                        .out(tmp.resolve("registry").toString())
                        .methods(CompressionJob.methods(List.of("prune", "distill")))
                        .benchmark(QUICK)
                        .fineTune(true)
                        .trainer(trainer)
                        .build()
                        .run();
        assertThat(r.models)
                .extracting(e -> e.version)
                .contains("1-distill-h32", "1-distill-h16x16", "1-prune-s50-ft", "1-prune-n25-ft");
        assertThat(trainer.calls).contains("distill [32] alpha 0.5", "distill [16, 16] alpha 0.5");
        assertThat(trainer.calls).anyMatch(c -> c.startsWith("fineTune 2400 rows"));
    }

    @Test
    void thirdPartyModelWithoutManifestOrLabels() throws Exception {
        Path file = tmp.resolve("my net.onnx");
        Files.write(file, TestingModels.convNet());
        Path out = tmp.resolve("registry");
        CompressionReport r =
                CompressionJob.builder()
                        .teacher(TeacherModel.load(file, 1 << 20, null))
                        .out(out.toString())
                        .methods(CompressionJob.methods(List.of("fp16", "int8-dynamic", "distill")))
                        .benchmark(QUICK)
                        .build()
                        .run();
        assertThat(r.modelName).isEqualTo("my-net");
        assertThat(r.qualityMetric).isEqualTo("mean_abs_diff");
        assertThat(r.evaluatedOn).contains("generated");
        assertThat(r.models)
                .extracting(e -> e.version)
                .containsExactly("1", "1-fp16", "1-int8-dynamic", "1-int8-dynamic-dense");
        for (CompressionReport.Entry e : r.models) {
            assertThat(e.mae).isNull();
            assertThat(e.meanAbsDiff).isNotNull();
            byte[] written = Files.readAllBytes(Path.of(e.directory, "model.onnx"));
            ModelGate.builder().build().checkFile(e.directory, written);
            try (OrtModel m = OrtModel.open(written)) {
                assertThat(m.floatOutputs()).containsExactly("logits");
            }
        }
        CompressionReport.Entry int8 = r.models.get(2);
        assertThat(1 / int8.sizeRatio).isGreaterThanOrEqualTo(3.5);
        assertThat(int8.maxAbsDiff).isLessThan(0.5);
        assertThat(r.methods.get(2).status).isEqualTo("skipped");
        assertThat(Files.exists(out.resolve("report.html"))).isTrue();
    }

    @Test
    void controlFlowIsLeftUnchangedAndListed() throws Exception {
        Path file = tmp.resolve("branchy.onnx");
        Files.write(file, TestingModels.withIf());
        CompressionReport r =
                CompressionJob.builder()
                        .teacher(TeacherModel.load(file, 1 << 20, null))
                        .out(tmp.resolve("registry").toString())
                        .methods(CompressionJob.methods(List.of("fp16", "int8-dynamic")))
                        .benchmark(QUICK)
                        .build()
                        .run();
        assertThat(r.unhandledConstructs)
                .singleElement()
                .asString()
                .contains("If 'branch'", "control flow");
        assertThat(r.models)
                .extracting(e -> e.version)
                .containsExactly("1", "1-fp16", "1-int8-dynamic");
        for (CompressionReport.Entry e : r.models) {
            byte[] written = Files.readAllBytes(Path.of(e.directory, "model.onnx"));
            OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(written);
            assertThat(m.getGraph().getNodeList()).anyMatch(n -> n.getOpType().equals("If"));
            try (OrtModel s = OrtModel.open(written)) {
                assertThat(s.floatOutputs()).containsExactly("out");
            }
        }
        assertThat(r.models.get(2).maxAbsDiff).isLessThan(0.1);
        assertThat(Files.readString(tmp.resolve("registry/report.html")))
                .contains("If &#39;branch&#39;");
    }

    @Test
    void untrustedInputIsRejected() throws Exception {
        Path file = tmp.resolve("net.onnx");
        byte[] bytes = TestingModels.convNet();
        Files.write(file, bytes);
        // Names that would leave the registry.
        assertThatThrownBy(() -> TeacherModel.load(file, 1 << 20, "../evil"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'../evil'");
        assertThatThrownBy(() -> TeacherModel.load(file, 1 << 20, "a/b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TeacherModel.load(file, 1 << 20, "x..y"))
                .isInstanceOf(IllegalArgumentException.class);
        Path dotty = tmp.resolve("..hidden..model.onnx");
        Files.write(dotty, bytes);
        assertThat(TeacherModel.load(dotty, 1 << 20, null).name()).isEqualTo("hidden.model");
        // Size cap, checked before reading.
        assertThatThrownBy(() -> TeacherModel.load(file, 1000, null))
                .isInstanceOf(ModelRejectedException.class)
                .hasMessageContaining("above the limit");
        // External data.
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.parseFrom(bytes).toBuilder();
        OnnxMl.TensorProto w = m.getGraph().getInitializer(2);
        m.getGraphBuilder()
                .setInitializer(
                        2,
                        w.toBuilder()
                                .clearRawData()
                                .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                                .addExternalData(
                                        OnnxMl.StringStringEntryProto.newBuilder()
                                                .setKey("location")
                                                .setValue("../../etc/passwd")));
        Path external = tmp.resolve("external.onnx");
        Files.write(external, m.build().toByteArray());
        assertThatThrownBy(() -> TeacherModel.load(external, 1 << 20, null))
                .isInstanceOf(ModelRejectedException.class)
                .hasMessageContaining("external data");
        // A manifest whose sha256 does not match its file.
        Path dir = modelDir(tmp, TestingModels.mlp(8));
        Files.write(dir.resolve("model.onnx"), TestingModels.mlp(9));
        assertThatThrownBy(() -> TeacherModel.load(dir, 1 << 20, null))
                .hasMessageContaining("sha256 mismatch");
        // --features without a manifest.
        assertThatThrownBy(
                        () ->
                                CompressionJob.builder()
                                        .teacher(TeacherModel.load(file, 1 << 20, null))
                                        .features(featuresCsv(tmp))
                                        .out(tmp.resolve("r").toString())
                                        .build()
                                        .run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a model directory with a manifest");
    }

    @Test
    void commandLine() throws Exception {
        Path file = tmp.resolve("net.onnx");
        Files.write(file, TestingModels.convNet());
        Path out = tmp.resolve("cli");
        int code =
                new picocli.CommandLine(new CompressCommand(null))
                        .execute(
                                "--model", file.toString(),
                                "--out", out.toString(),
                                "--methods", "int8-dynamic",
                                "--budget", "5%",
                                "--select", "smallest");
        assertThat(code).isZero();
        CompressionReport r =
                CompressionReport.fromJson(Files.readAllBytes(out.resolve("report.json")));
        assertThat(r.budget).isEqualTo(0.05);
        assertThat(r.select).isEqualTo("smallest");
        assertThat(CompressCommand.parseBudget("0.02")).isEqualTo(0.02);
        assertThatThrownBy(() -> CompressCommand.parseBudget("lots"))
                .hasMessageContaining("--budget");
        assertThatThrownBy(() -> CompressionJob.methods(List.of("magic")))
                .hasMessageContaining("unknown method 'magic'");
    }
}
