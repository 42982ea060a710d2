package dev.parity.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A linear model of known weights: ONNX Runtime must give the closed form, at any batch size. */
class OnnxScorerTest {
    private static final int ARITY = TestingModels.WEIGHTS.length;

    private static float[][] rows(int n) {
        Random r = new Random(7);
        float[][] x = new float[n][ARITY];
        for (float[] row : x) {
            for (int j = 0; j < ARITY; j++) {
                row[j] = (float) (r.nextGaussian() * 100);
            }
        }
        return x;
    }

    private static float[] score(OnnxScorer s, float[][] x, int from, int n) throws Exception {
        FloatBuffer in = s.inputBuffer();
        for (int i = from; i < from + n; i++) {
            in.put(x[i]);
        }
        float[] out = new float[n];
        s.score(n, out);
        return out;
    }

    @Test
    void predictionsEqualTheClosedFormAtEveryBatchSize() throws Exception {
        float[][] x = rows(256);
        float[] expected = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double y = TestingModels.BIAS;
            for (int j = 0; j < ARITY; j++) {
                y += (double) x[i][j] * TestingModels.WEIGHTS[j];
            }
            expected[i] = (float) y;
        }
        try (OnnxScorer s =
                OnnxScorer.open(
                        TestingModels.linearBytes(),
                        LinearOnnxModel.INPUT,
                        LinearOnnxModel.OUTPUT,
                        ARITY,
                        256,
                        1,
                        OptLevel.ALL_OPT)) {
            float[] whole = score(s, x, 0, 256);
            for (int i = 0; i < x.length; i++) {
                assertThat(whole[i])
                        .as("row %d", i)
                        .isCloseTo(
                                expected[i],
                                org.assertj.core.data.Offset.offset(
                                        1e-3f * Math.max(1f, Math.abs(expected[i]))));
            }
            for (int batch : new int[] {1, 7, 32}) {
                for (int from = 0; from + batch <= 64; from += batch) {
                    float[] part = score(s, x, from, batch);
                    for (int i = 0; i < batch; i++) {
                        assertThat(part[i])
                                .as("batch %d row %d", batch, from + i)
                                .isEqualTo(whole[from + i]);
                    }
                }
            }
        }
    }

    @Test
    void wrongTensorNamesListTheValidOnes() {
        assertThatThrownBy(
                        () ->
                                OnnxScorer.open(
                                        TestingModels.linearBytes(),
                                        "x",
                                        LinearOnnxModel.OUTPUT,
                                        ARITY,
                                        8,
                                        1,
                                        OptLevel.ALL_OPT))
                .hasMessage("input 'x' not in the model; inputs are [features]");
    }

    @Test
    void aBatchLargerThanTheBufferIsRefused() throws Exception {
        try (OnnxScorer s =
                OnnxScorer.open(
                        TestingModels.linearBytes(),
                        LinearOnnxModel.INPUT,
                        LinearOnnxModel.OUTPUT,
                        ARITY,
                        4,
                        1,
                        OptLevel.ALL_OPT)) {
            assertThatThrownBy(() -> s.score(5, new float[5]))
                    .hasMessage("rows must be in 1..4, got 5");
        }
    }
}
