package dev.parity.compression;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.eval.ModelInputs;
import dev.parity.compression.methods.Fp16Method;
import dev.parity.compression.methods.Int8DynamicMethod;
import dev.parity.compression.methods.Int8StaticMethod;
import dev.parity.compression.methods.Variant;
import dev.parity.compression.onnx.Tensors;
import dev.parity.models.LinearOnnxModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** fp16, int8-dynamic and int8-static on a flights MLP and a third-party Conv/Gemm model. */
class QuantizationMethodsTest {
    private static final byte[] MLP = TestingModels.mlp(256, 256);
    private static final byte[] CONV = TestingModels.convNet();

    @Test
    void halfConversionRoundsToNearestEven() {
        assertThat(Tensors.Half.fromFloat(1f)).isEqualTo((short) 0x3c00);
        assertThat(Tensors.Half.fromFloat(-2f)).isEqualTo((short) 0xc000);
        assertThat(Tensors.Half.fromFloat(65504f)).isEqualTo((short) 0x7bff);
        assertThat(Tensors.Half.fromFloat(70000f)).isEqualTo((short) 0x7c00); // overflow -> inf
        assertThat(Tensors.Half.fromFloat(0x1p-24f))
                .isEqualTo((short) 0x0001); // smallest subnormal
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1.0).
        assertThat(Tensors.Half.fromFloat(1f + 0x1p-11f)).isEqualTo((short) 0x3c00);
        assertThat(Tensors.Half.fromFloat(1f + 0x1p-11f + 0x1p-20f)).isEqualTo((short) 0x3c01);
        for (float f : new float[] {0.1f, -3.75f, 1234.5f, 6.1e-5f, 3e-7f}) {
            float back = Tensors.Half.toFloat(Tensors.Half.fromFloat(f));
            assertThat(Math.abs(back - f))
                    .isLessThanOrEqualTo(Math.max(Math.abs(f) * 0x1p-11f, 0x1p-25f));
        }
    }

    @Test
    void fp16HalvesTheWeightsAndKeepsFloatInputsAndOutputs() throws Exception {
        Variant v = new Fp16Method().apply(Support.context(MLP, Support.flightsInputs())).get(0);
        double ratio = (double) MLP.length / v.onnx().length;
        assertThat(ratio).isBetween(1.8, 2.05);
        OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(v.onnx());
        assertThat(m.getGraph().getInput(0).getType().getTensorType().getElemType())
                .isEqualTo(OnnxMl.TensorProto.DataType.FLOAT.getNumber());
        assertThat(m.getGraph().getOutput(0).getType().getTensorType().getElemType())
                .isEqualTo(OnnxMl.TensorProto.DataType.FLOAT.getNumber());
        // W0, b0, W1, b1, W2 have >= 64 elements; b2 and the preprocessing constants do not.
        assertThat(Support.opCounts(v.onnx()).get("Cast")).isEqualTo(5);
        assertThat(Support.initializer(v.onnx(), "standardise_mean").getDataType())
                .isEqualTo(OnnxMl.TensorProto.DataType.FLOAT.getNumber());
        assertThat(Support.parameters(v.onnx())).isEqualTo(Support.parameters(MLP));
        double[] cmp = Support.compare(MLP, v.onnx(), Support.flightsInputs());
        assertThat(cmp[0]).isLessThan(cmp[1] * 2e-3);
        Support.assertPassesGate(v.onnx());
    }

    @Test
    void int8DynamicIsAtLeast3point5xSmallerAndAgrees() throws Exception {
        List<Variant> vs =
                new Int8DynamicMethod().apply(Support.context(MLP, Support.flightsInputs()));
        assertThat(vs).hasSize(1); // no Conv: no separate dense-only variant
        Variant v = vs.get(0);
        assertThat((double) MLP.length / v.onnx().length).isGreaterThanOrEqualTo(3.5);
        assertThat(Support.opCounts(v.onnx()))
                .containsEntry("DynamicQuantizeLinear", 3)
                .containsEntry("MatMulInteger", 3)
                .doesNotContainKey("Gemm");
        OnnxMl.TensorProto w = Support.initializer(v.onnx(), "layer1_W_quantized");
        assertThat(w.getDataType()).isEqualTo(OnnxMl.TensorProto.DataType.INT8.getNumber());
        assertThat(Tensors.dims(w)).containsExactly(256, 256);
        double[] cmp = Support.compare(MLP, v.onnx(), Support.flightsInputs());
        assertThat(cmp[0]).isLessThan(cmp[1] * 0.03);
        Support.assertPassesGate(v.onnx());
    }

    @Test
    void int8DynamicQuantisesConvGemmAndMatMulOfAThirdPartyModel() throws Exception {
        List<Variant> vs =
                new Int8DynamicMethod().apply(Support.context(CONV, Support.imageInputs()));
        assertThat(vs)
                .extracting(Variant::suffix)
                .containsExactly("int8-dynamic", "int8-dynamic-dense");
        Variant dense = vs.get(1);
        assertThat(Support.opCounts(dense.onnx()))
                .containsEntry("Conv", 1)
                .containsEntry("MatMulInteger", 2)
                .doesNotContainKey("ConvInteger");
        double[] denseCmp = Support.compare(CONV, dense.onnx(), Support.imageInputs());
        assertThat(denseCmp[0]).isLessThan(denseCmp[1] * 0.05);
        Variant v = vs.get(0);
        assertThat((double) CONV.length / v.onnx().length).isGreaterThanOrEqualTo(3.5);
        assertThat(Support.opCounts(v.onnx()))
                .containsEntry("ConvInteger", 1)
                .containsEntry("MatMulInteger", 2)
                .doesNotContainKeys("Conv", "Gemm", "MatMul");
        double[] cmp = Support.compare(CONV, v.onnx(), Support.imageInputs());
        assertThat(cmp[0]).isLessThan(cmp[1] * 0.05);
        Support.assertPassesGate(v.onnx());
    }

    @Test
    void fp16OnTheThirdPartyModel() throws Exception {
        Variant v = new Fp16Method().apply(Support.context(CONV, Support.imageInputs())).get(0);
        assertThat((double) CONV.length / v.onnx().length).isBetween(1.8, 2.05);
        double[] cmp = Support.compare(CONV, v.onnx(), Support.imageInputs());
        assertThat(cmp[0]).isLessThan(cmp[1] * 5e-3);
    }

    @Test
    void int8StaticWritesQdqWithBothCalibrators() throws Exception {
        List<Variant> vs =
                new Int8StaticMethod(2048, 99.9)
                        .apply(Support.context(MLP, Support.flightsInputs()));
        assertThat(vs)
                .extracting(Variant::suffix)
                .containsExactly("int8-static-minmax", "int8-static-p999");
        for (Variant v : vs) {
            assertThat(Support.opCounts(v.onnx()))
                    .containsEntry("QuantizeLinear", 3)
                    .containsEntry("Gemm", 3);
            assertThat(Support.opCounts(v.onnx()).get("DequantizeLinear")).isEqualTo(3 + 3 + 3);
            assertThat((double) MLP.length / v.onnx().length).isGreaterThanOrEqualTo(3.0);
            double[] cmp = Support.compare(MLP, v.onnx(), Support.flightsInputs());
            // Percentile clipping trades a few large errors (clipped tails) for finer steps.
            assertThat(cmp[2]).as(v.suffix()).isLessThan(cmp[3] * 0.03);
            Support.assertPassesGate(v.onnx());
        }
        assertThat(vs.get(1).parameters()).containsEntry("percentile", "99.9");
        double[] minmax = Support.compare(MLP, vs.get(0).onnx(), Support.flightsInputs());
        assertThat(minmax[0]).isLessThan(minmax[1] * 0.1);
    }

    @Test
    void int8StaticOnConvUsesGeneratedCalibration() throws Exception {
        List<Variant> vs =
                new Int8StaticMethod(512, 99.99)
                        .apply(Support.context(CONV, Support.imageInputs()));
        double[] cmp = Support.compare(CONV, vs.get(0).onnx(), Support.imageInputs());
        assertThat(cmp[0]).isLessThan(cmp[1] * 0.1);
        assertThat(vs.get(0).notes()).anyMatch(n -> n.contains("generated"));
    }

    @Test
    void percentileRangeIgnoresOutliersAndAlwaysCoversZero() {
        float[] v = new float[10_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = 1 + (i % 100) / 100f; // 1 .. 1.99
        }
        v[0] = 1000f;
        float[] minmax = Int8StaticMethodAccess.range(v, 100);
        float[] p = Int8StaticMethodAccess.range(v, 99.9);
        assertThat(minmax).containsExactly(0f, 1000f);
        assertThat(p[0]).isEqualTo(0f);
        assertThat(p[1]).isLessThan(2f);
    }

    @Test
    void modelsWithoutWeightedLayersAreSkippedWithAReason() throws Exception {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("relu");
        g.addInput(LinearOnnxModel.floatMatrix("x", 4));
        g.addOutput(LinearOnnxModel.floatMatrix("y", 4));
        g.addNode(
                dev.parity.compression.onnx.GraphEditor.node(
                        "Relu", "r", List.of("x"), List.of("y")));
        byte[] onnx = TestingModels.model(g);
        ModelInputs in =
                ModelInputs.generated(List.of(new ModelInputs.Spec("x", new long[] {-1, 4})), 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new Int8DynamicMethod().apply(Support.context(onnx, in)))
                .isInstanceOf(dev.parity.compression.methods.MethodSkippedException.class)
                .hasMessageContaining("no Gemm, MatMul or Conv");
    }
}
