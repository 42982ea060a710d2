package dev.parity.compression.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.TestingModels;
import dev.parity.compression.eval.ModelInputs;
import dev.parity.compression.methods.Int8StaticMethod;
import dev.parity.compression.methods.MethodContext;
import dev.parity.compression.methods.MethodSkippedException;
import dev.parity.compression.methods.QatMethod;
import dev.parity.compression.methods.Variant;
import dev.parity.compression.spi.MlpTrainer;
import dev.parity.models.FeatureTable;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Quantisation-aware training on a small synthetic teacher: the QDQ model ONNX Runtime runs
 * computes what the fake-quantised training graph computed, holds int8 weights only, keeps pruned
 * weights at zero, and is at least as accurate on the validation rows as the quantised teacher it
 * started from; {@code compress --methods qat} and {@code train --qat int8} produce it.
 */
class QuantizationAwareTest {
    @TempDir static Path dir;
    static FeatureTable table;
    static DjlMlpTrainer trainer;
    static Mlp teacher;
    static MlpTrainer.QuantizationAware qat;

    @BeforeAll
    static void trainTeacherAndQuantise() throws Exception {
        Path csv = SyntheticFeatures.write(dir, 12_000, 21);
        table = FeatureTable.load(csv, TestingModels.CONTRACT.inputColumns());
        trainer =
                new DjlMlpTrainer(
                        DjlMlpTrainer.Options.builder()
                                .epochs(15)
                                .batchSize(128)
                                .learningRate(3e-3f)
                                .patience(3)
                                .build());
        teacher = trainer.train(table, new int[] {32, 32}).mlp();
        qat = trainer.quantizationAware(MlpOnnx.export(teacher), table, 4);
    }

    @Test
    void onnxRuntimeComputesWhatTheQuantisedTrainingGraphComputed() {
        int[] val = table.rowsOf(FeatureTable.Split.VALIDATION);
        float[] y = table.labels(val);
        double typical = 0;
        for (float v : y) {
            typical += Math.abs(v);
        }
        typical /= y.length;
        // the same roundings in both; float32 sums in another order may move a value across a
        // rounding boundary now and then, which changes one input by one step
        assertThat(qat.meanAbsDiff).isLessThan(1e-3 * typical);
        assertThat(qat.maxAbsDiff).isLessThan(0.05 * typical);
        assertThat(qat.ranges)
                .containsOnlyKeys("standardised", "layer0_relu", "layer1_relu")
                .allSatisfy((name, r) -> assertThat(r[1]).isGreaterThan(r[0]));
        assertThat(qat.ranges.get("layer0_relu")[0]).isZero(); // a ReLU output starts at 0
    }

    @Test
    void theModelHoldsInt8WeightsBehindDequantizeLinearOnly() throws Exception {
        OnnxMl.GraphProto g = OnnxMl.ModelProto.parseFrom(qat.int8Onnx).getGraph();
        Map<String, OnnxMl.TensorProto> init = new HashMap<>();
        g.getInitializerList().forEach(t -> init.put(t.getName(), t));
        Map<String, OnnxMl.NodeProto> producer = new HashMap<>();
        g.getNodeList().forEach(n -> n.getOutputList().forEach(o -> producer.put(o, n)));
        int gemms = 0;
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            if (!n.getOpType().equals("Gemm")) {
                continue;
            }
            gemms++;
            for (int i = 0; i < 2; i++) {
                OnnxMl.NodeProto dq = producer.get(n.getInput(i));
                assertThat(dq).as("Gemm %s input %d", n.getName(), i).isNotNull();
                assertThat(dq.getOpType()).isEqualTo("DequantizeLinear");
            }
            OnnxMl.TensorProto w = init.get(producer.get(n.getInput(1)).getInput(0));
            assertThat(w.getDataType()).isEqualTo(OnnxMl.TensorProto.DataType.INT8_VALUE);
        }
        assertThat(gemms).isEqualTo(3);
        // no float weight matrix is left: float initializers are scales (one per channel) and
        // the preprocessing constants (one per input)
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            if (t.getDataType() == OnnxMl.TensorProto.DataType.FLOAT_VALUE) {
                long n = 1;
                for (long d : t.getDimsList()) {
                    n *= d;
                }
                assertThat(n).as(t.getName()).isLessThanOrEqualTo(32);
            }
        }
    }

    @Test
    void isNoWorseOnValidationThanTheQuantisedTeacherItStartedFrom() throws Exception {
        // the starting point, quantised with the ranges a calibration gives
        int[] val = table.rowsOf(FeatureTable.Split.VALIDATION);
        Map<String, float[]> minMax = new HashMap<>();
        float[] h = teacher.preprocessing().apply(table.features(val));
        minMax.put("standardised", minMax(h));
        List<Mlp.Layer> layers = teacher.layers();
        for (int k = 0; k < layers.size() - 1; k++) {
            h = dense(h, layers.get(k));
            minMax.put("layer" + k + "_relu", minMax(h));
        }
        byte[] ptq = Int8StaticMethod.qdq(MlpOnnx.export(teacher), minMax);
        float[] y = table.labels(val);
        double ptqMae = Metrics.mae(DjlMlpTrainer.ortPredict(ptq, teacher, table.features(val)), y);
        double qatMae =
                Metrics.mae(
                        DjlMlpTrainer.ortPredict(qat.int8Onnx, teacher, table.features(val)), y);
        assertThat(qatMae).isLessThanOrEqualTo(ptqMae * 1.001);
        assertThat(qat.validationMae).isGreaterThan(0);
    }

    @Test
    void prunedWeightsStayZero() throws Exception {
        java.util.List<Mlp.Layer> pruned = new java.util.ArrayList<>();
        for (Mlp.Layer l : teacher.layers()) {
            float[] w = l.weights();
            for (int i = 0; i < w.length; i += 3) {
                w[i] = 0f;
            }
            pruned.add(new Mlp.Layer(l.in(), l.out(), w, l.bias(), l.relu()));
        }
        Mlp start = teacher.withLayers(pruned);
        MlpTrainer.QuantizationAware q = trainer.quantizationAware(MlpOnnx.export(start), table, 1);
        OnnxMl.GraphProto g = OnnxMl.ModelProto.parseFrom(q.int8Onnx).getGraph();
        Set<String> zeroInt8 = new HashSet<>();
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            if (t.getName().startsWith("layer") && t.getName().contains("_W_quantized")) {
                byte[] raw = t.getRawData().toByteArray();
                for (int i = 0; i < raw.length; i += 3) {
                    assertThat(raw[i]).as("%s[%d]", t.getName(), i).isZero();
                }
                zeroInt8.add(t.getName());
            }
        }
        assertThat(zeroInt8).hasSize(3);
    }

    @Test
    void compressMethodQatMakesTheInt8Variant() throws Exception {
        byte[] onnx = MlpOnnx.export(teacher);
        MethodContext ctx =
                new MethodContext(
                        onnx,
                        OnnxMl.ModelProto.parseFrom(onnx),
                        table,
                        trainer,
                        ModelInputs.ofRows(
                                "features",
                                9,
                                table.features(table.rowsOf(FeatureTable.Split.TRAIN)),
                                "train rows"));
        List<Variant> made = new QatMethod(1).apply(ctx);
        assertThat(made)
                .singleElement()
                .satisfies(
                        v -> {
                            assertThat(v.suffix()).isEqualTo("qat-int8");
                            assertThat(v.parameters()).containsEntry("format", "QDQ");
                            assertThat(v.notes())
                                    .anyMatch(n -> n.contains("ONNX Runtime's int8 model"));
                        });

        MethodContext noTable =
                new MethodContext(onnx, OnnxMl.ModelProto.parseFrom(onnx), null, trainer, null);
        Assertions.assertThatThrownBy(() -> new QatMethod(1).apply(noTable))
                .isInstanceOf(MethodSkippedException.class)
                .hasMessageContaining("--features");
    }

    @Test
    void trainQatRegistersTheInt8ModelNextToTheTeacher() throws Exception {
        Path csv = SyntheticFeatures.write(dir, 6_000, 22);
        Path registry = dir.resolve("registry-qat");
        int code =
                new CommandLine(new TrainCommand())
                        .execute(
                                "--features", csv.toString(),
                                "--out", registry.toString(),
                                "--hidden", "16",
                                "--epochs", "4",
                                "--batch-size", "128",
                                "--qat", "int8",
                                "--qat-epochs", "1");
        assertThat(code).isZero();
        ModelRegistry.LoadedModel m =
                ModelRegistry.load(
                        new ModelRegistry(registry.toString()).dir("flights-mlp", "1-qat-int8"),
                        ModelGate.builder().build(),
                        TestingModels.CONTRACT);
        ModelManifest manifest = m.manifest();
        assertThat(manifest.lineage.method).isEqualTo("qat-int8");
        assertThat(manifest.metrics)
                .containsKeys("june_mae", "teacher_june_mae", "val_mae_quantised");

        int bad =
                new CommandLine(new TrainCommand())
                        .execute(
                                "--features", csv.toString(),
                                "--out", registry.toString(),
                                "--qat", "int4");
        assertThat(bad).isNotZero();
    }

    private static float[] minMax(float[] v) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return new float[] {Math.min(lo, 0f), Math.max(hi, 0f)};
    }

    /** {@code relu(h W + b)} for rows of {@code h}. */
    private static float[] dense(float[] h, Mlp.Layer l) {
        int n = h.length / l.in();
        float[] w = l.weights();
        float[] b = l.bias();
        float[] out = new float[n * l.out()];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < l.out(); j++) {
                double s = b == null ? 0 : b[j];
                for (int i = 0; i < l.in(); i++) {
                    s += h[r * l.in() + i] * w[i * l.out() + j];
                }
                out[r * l.out() + j] = l.relu() ? (float) Math.max(0, s) : (float) s;
            }
        }
        return out;
    }
}
