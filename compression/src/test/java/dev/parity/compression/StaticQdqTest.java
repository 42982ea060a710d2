package dev.parity.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.compression.methods.Int8StaticMethod;
import dev.parity.compression.methods.Variant;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Static QDQ on convolutions: the rewrite must give ONNX Runtime the {@code DQ -> Conv -> Q} groups
 * it turns into {@code QLinearConv} (checked on the graph ONNX Runtime actually runs), fold clamps
 * into the Q without changing the function, and keep graph outputs float.
 */
class StaticQdqTest {
    private static final byte[] SPEECH = TestingModels.speechCnn();
    private static final byte[] CONV = TestingModels.convNet();

    @Test
    void convolutionsRunAsQLinearConvWithClampsFoldedIntoTheQuantizer() throws Exception {
        List<Variant> vs =
                new Int8StaticMethod(512, 100)
                        .apply(Support.context(SPEECH, Support.speechInputs()));
        Variant v = vs.get(0);
        Map<String, Integer> ops = Support.opCounts(v.onnx());
        // Max(LeakyRelu(x), -0.4) is done by the Q after LeakyRelu (range starting at -0.4).
        assertThat(ops).doesNotContainKey("Max").containsEntry("LeakyRelu", 2);
        Map<String, Integer> optimized = Support.optimizedOpCounts(v.onnx());
        assertThat(optimized).containsEntry("QLinearConv", 2).containsEntry("QLinearLeakyRelu", 2);
        // The Conv writing the graph output (through a Reshape) stays float; MaxPool runs on uint8.
        assertThat(optimized).containsEntry("Conv", 1).doesNotContainKey("LeakyRelu");
        assertThat(Support.optimizedOpCounts(SPEECH)).doesNotContainKey("QLinearConv");
        assertThat(v.notes()).anyMatch(n -> n.startsWith("2 of 3 Conv outputs quantised"));
        double[] cmp = Support.compare(SPEECH, v.onnx(), Support.speechInputs());
        assertThat(cmp[2]).isLessThan(cmp[3] * 0.03);
        Support.assertPassesGate(v.onnx());
    }

    @Test
    void reluAfterAConvBecomesTheQuantizersZeroPoint() throws Exception {
        Variant v =
                new Int8StaticMethod(512, 100)
                        .apply(Support.context(CONV, Support.imageInputs()))
                        .get(0);
        Map<String, Integer> ops = Support.opCounts(v.onnx());
        assertThat(ops.get("Relu")).isEqualTo(1); // relu_c folded, relu_f (after Gemm) kept
        assertThat(Support.optimizedOpCounts(v.onnx())).containsEntry("QLinearConv", 1);
        double[] cmp = Support.compare(CONV, v.onnx(), Support.imageInputs());
        assertThat(cmp[2]).isLessThan(cmp[3] * 0.03);
    }

    @Test
    void aFoldedClampsBoundDequantisesExactly() {
        for (float lo : new float[] {-0.4f, -2f, -30f}) {
            float[] sz = Int8StaticMethodAccess.scaleAndZeroPoint(lo, 41.3f, true);
            float step = (41.3f - lo) / 255f;
            assertThat(sz[1]).isBetween(1f, 255f);
            assertThat((0 - sz[1]) * sz[0]).isCloseTo(lo, Offset.offset(Math.ulp(lo) * 4));
            assertThat(sz[0]).isCloseTo(step, Offset.offset(step / (2 * sz[1]) + 1e-6f));
            // Without the fixed bound, lo is only within half a step.
            float[] free = Int8StaticMethodAccess.scaleAndZeroPoint(lo, 41.3f, false);
            assertThat(free[0]).isCloseTo(step, Offset.offset(1e-6f));
            assertThat((0 - free[1]) * free[0]).isCloseTo(lo, Offset.offset(step / 2 + 1e-6f));
        }
        // A bound under half a step from 0 cannot be exact: it clamps at 0.
        assertThat(Int8StaticMethodAccess.scaleAndZeroPoint(-0.013f, 41.3f, true))
                .containsExactly(41.3f / 255f, 0f);
        assertThat(Int8StaticMethodAccess.scaleAndZeroPoint(0f, 6f, true))
                .containsExactly(6f / 255f, 0f);
    }

    @Test
    void mixedPrecisionKeepsTheMostSensitiveConvFloatWhenAllInt8MissesTheTarget() throws Exception {
        // a target no int8 model meets: the search keeps layers float, the best one first
        List<Variant> vs =
                new Int8StaticMethod(512, 100, 1e-6)
                        .apply(Support.context(SPEECH, Support.speechInputs()));
        Variant all = vs.get(0);
        Variant mixed =
                vs.stream()
                        .filter(v -> v.suffix().equals("int8-static-mixed"))
                        .findFirst()
                        .orElseThrow();
        assertThat(mixed.parameters()).containsKey("float_convs");
        int floats = mixed.parameters().get("float_convs").split(",").length;
        assertThat(floats).isBetween(1, 2); // of 3: at least one Conv stays int8
        assertThat(mixed.notes())
                .anyMatch(n -> n.startsWith("mixed precision") && n.contains("all int8"));
        // fewer tensors quantised, fewer integer kernels
        assertThat(Support.opCounts(mixed.onnx()).getOrDefault("QuantizeLinear", 0))
                .isGreaterThan(0)
                .isLessThan(Support.opCounts(all.onnx()).get("QuantizeLinear"));
        assertThat(Support.optimizedOpCounts(mixed.onnx()).getOrDefault("QLinearConv", 0))
                .isLessThanOrEqualTo(2);
        double[] allCmp = Support.compare(SPEECH, all.onnx(), Support.speechInputs());
        double[] mixedCmp = Support.compare(SPEECH, mixed.onnx(), Support.speechInputs());
        assertThat(mixedCmp[2]).isLessThan(allCmp[2]);

        // a target the all-int8 model meets: no mixed variant
        assertThat(
                        new Int8StaticMethod(512, 100, 0.5)
                                .apply(Support.context(SPEECH, Support.speechInputs())))
                .noneMatch(v -> v.suffix().equals("int8-static-mixed"));
    }
}
