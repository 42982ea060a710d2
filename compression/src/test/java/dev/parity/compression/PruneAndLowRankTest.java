package dev.parity.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.compression.methods.LowRankMethod;
import dev.parity.compression.methods.PruneMethod;
import dev.parity.compression.methods.Variant;
import dev.parity.compression.onnx.MlpOnnx;
import dev.parity.compression.onnx.Tensors;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Pruning (unstructured, structured) and low-rank factorisation on MLPs with known weights. */
class PruneAndLowRankTest {
    private static final byte[] MLP = TestingModels.mlp(64, 64);

    @Test
    void magnitudePruningZeroesTheSmallestShareOfEveryLayer() throws Exception {
        List<Variant> vs =
                new PruneMethod(new double[] {0.5, 0.9}, new double[0])
                        .apply(Support.context(MLP, Support.flightsInputs()));
        assertThat(vs).extracting(Variant::suffix).containsExactly("prune-s50", "prune-s90");
        for (String w : List.of("layer0_W", "layer1_W", "layer2_W")) {
            float[] before = Tensors.floats(Support.initializer(MLP, w));
            float[] after = Tensors.floats(Support.initializer(vs.get(1).onnx(), w));
            int zeros = 0;
            float keptMin = Float.MAX_VALUE;
            float droppedMax = 0;
            for (int i = 0; i < after.length; i++) {
                if (after[i] == 0f) {
                    zeros++;
                    droppedMax = Math.max(droppedMax, Math.abs(before[i]));
                } else {
                    assertThat(after[i]).isEqualTo(before[i]);
                    keptMin = Math.min(keptMin, Math.abs(before[i]));
                }
            }
            assertThat(zeros).as(w).isEqualTo((int) Math.floor(before.length * 0.9));
            assertThat(droppedMax).as(w).isLessThanOrEqualTo(keptMin);
        }
        Support.assertPassesGate(vs.get(0).onnx());
    }

    @Test
    void structuredPruningRemovesNeuronsAndShrinksAdjacentLayers() throws Exception {
        Variant v =
                new PruneMethod(new double[0], new double[] {0.25})
                        .apply(Support.context(MLP, Support.flightsInputs()))
                        .get(0);
        assertThat(v.suffix()).isEqualTo("prune-n25");
        assertThat(Tensors.dims(Support.initializer(v.onnx(), "layer0_W_pruned")))
                .containsExactly(9, 48);
        assertThat(Tensors.dims(Support.initializer(v.onnx(), "layer0_b_pruned")))
                .containsExactly(48);
        assertThat(Tensors.dims(Support.initializer(v.onnx(), "layer1_W_pruned")))
                .containsExactly(48, 48);
        assertThat(Tensors.dims(Support.initializer(v.onnx(), "layer2_W_pruned")))
                .containsExactly(48, 1);
        long before = Support.parameters(MLP);
        long after = Support.parameters(v.onnx());
        assertThat(before - after).isEqualTo(16 * 9 + 16 + (64 * 64 - 48 * 48) + 16 + 16);
        assertThat(v.onnx().length).isLessThan(MLP.length);
        Support.assertPassesGate(v.onnx());
    }

    @Test
    void structuredPruningOfDeadNeuronsKeepsTheOutputExactly() throws Exception {
        // Neurons whose outgoing weights are all zero contribute nothing: removing them is exact.
        List<MlpOnnx.Layer> layers = MlpOnnx.randomLayers(9, new int[] {32}, 1, 9);
        MlpOnnx.Layer out = layers.get(1);
        for (int j = 0; j < 16; j++) {
            out.w[j * 2] = 0f; // rows 0, 2, 4, ... (32 x 1 weights)
        }
        byte[] teacher =
                MlpOnnx.build(
                        TestingModels.DEFAULTS, TestingModels.MEAN, TestingModels.STD, layers);
        Variant v =
                new PruneMethod(new double[0], new double[] {0.5})
                        .apply(Support.context(teacher, Support.flightsInputs()))
                        .get(0);
        assertThat(Tensors.dims(Support.initializer(v.onnx(), "layer1_W_pruned")))
                .containsExactly(16, 1);
        double[] cmp = Support.compare(teacher, v.onnx(), Support.flightsInputs());
        assertThat(cmp[0]).isLessThan(1e-5);
    }

    @Test
    void constantNeuronsAreFoldedIntoTheNextBias() throws Exception {
        // Neurons with no incoming weights output relu(bias), a constant: the lowest L2 score.
        // Removing them is exact only if their constant contribution moves into the next bias.
        List<MlpOnnx.Layer> layers = MlpOnnx.randomLayers(9, new int[] {32}, 1, 11);
        MlpOnnx.Layer hidden = layers.get(0);
        for (int j = 0; j < 32; j += 2) {
            for (int i = 0; i < 9; i++) {
                hidden.w[i * 32 + j] = 0f;
            }
            hidden.b[j] = 0.5f;
        }
        byte[] teacher =
                MlpOnnx.build(
                        TestingModels.DEFAULTS, TestingModels.MEAN, TestingModels.STD, layers);
        Variant v =
                new PruneMethod(new double[0], new double[] {0.5})
                        .apply(Support.context(teacher, Support.flightsInputs()))
                        .get(0);
        assertThat(Tensors.dims(Support.initializer(v.onnx(), "layer0_W_pruned")))
                .containsExactly(9, 16);
        assertThat(v.parameters()).containsKey("compensation");
        double[] cmp = Support.compare(teacher, v.onnx(), Support.flightsInputs());
        assertThat(cmp[0]).isLessThan(1e-4);
    }

    @Test
    void lowRankPicksTheRankByEnergyAndAgrees() throws Exception {
        // W1 = (64 x 4) (4 x 64) + tiny noise: rank 4 holds > 99.9 % of the energy.
        SplittableRandom r = new SplittableRandom(4);
        List<MlpOnnx.Layer> layers = MlpOnnx.randomLayers(9, new int[] {64, 64}, 1, 1);
        float[] a = TestingModels.random(r, 64 * 4, 0.5);
        float[] b = TestingModels.random(r, 4 * 64, 0.5);
        float[] w = layers.get(1).w;
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 64; j++) {
                float s = 0;
                for (int k = 0; k < 4; k++) {
                    s += a[i * 4 + k] * b[k * 64 + j];
                }
                w[i * 64 + j] = s + (float) (r.nextDouble() - 0.5) * 1e-4f;
            }
        }
        byte[] teacher =
                MlpOnnx.build(
                        TestingModels.DEFAULTS, TestingModels.MEAN, TestingModels.STD, layers);
        List<Variant> vs =
                new LowRankMethod(new double[] {0.99}, new double[] {0.5})
                        .apply(Support.context(teacher, Support.flightsInputs()));
        Variant e99 = vs.get(0);
        assertThat(e99.suffix()).isEqualTo("lowrank-e99");
        assertThat(e99.parameters()).containsEntry("rank.layer1_W", "4 of 64");
        assertThat(Tensors.dims(Support.initializer(e99.onnx(), "layer1_W_A")))
                .containsExactly(64, 4);
        assertThat(Tensors.dims(Support.initializer(e99.onnx(), "layer1_W_B")))
                .containsExactly(4, 64);
        // W0 (9 x 64) and W2 (64 x 1) cannot get smaller: kept dense, and said so.
        assertThat(e99.notes())
                .anyMatch(n -> n.contains("layer0_gemm") && n.contains("kept dense"));
        double[] cmp = Support.compare(teacher, e99.onnx(), Support.flightsInputs());
        assertThat(cmp[0]).isLessThan(cmp[1] * 1e-3);
        assertThat(Support.parameters(e99.onnx())).isLessThan(Support.parameters(teacher));
        // Target size 0.5: rank floor(0.5 * 64 * 64 / 128) = 16.
        assertThat(vs.get(1).suffix()).isEqualTo("lowrank-t50");
        assertThat(vs.get(1).parameters()).containsEntry("rank.layer1_W", "16 of 64");
        Support.assertPassesGate(e99.onnx());
    }

    @Test
    void rankForEnergy() {
        double[] s = {3, 2, 1, 0};
        // energies 9, 4, 1 of 14: 9/14 = 0.64, 13/14 = 0.93, 14/14 = 1
        assertThat(LowRankMethod.rankForEnergy(s, 0.5)).isEqualTo(1);
        assertThat(LowRankMethod.rankForEnergy(s, 0.9)).isEqualTo(2);
        assertThat(LowRankMethod.rankForEnergy(s, 0.95)).isEqualTo(3);
        assertThat(LowRankMethod.rankForEnergy(s, 1.0)).isEqualTo(3);
        assertThat(LowRankMethod.rankForSize(256, 256, 0.5)).isEqualTo(64);
    }

    @Test
    void linearModelHasNothingToPruneStructurallyOrFactorise() throws Exception {
        byte[] linear = dev.parity.models.LinearOnnxModel.build(new float[9], 1f);
        List<Variant> vs =
                new PruneMethod().apply(Support.context(linear, Support.flightsInputs()));
        assertThat(vs)
                .extracting(Variant::suffix)
                .containsExactly("prune-s50", "prune-s70", "prune-s90");
        assertThat(vs.get(0).notes()).anyMatch(n -> n.contains("structured pruning skipped"));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                new LowRankMethod()
                                        .apply(Support.context(linear, Support.flightsInputs())))
                .hasMessageContaining("no layer gets smaller");
    }
}
