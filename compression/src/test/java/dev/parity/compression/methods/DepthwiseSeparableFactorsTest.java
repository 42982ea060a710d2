package dev.parity.compression.methods;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The per-input-channel SVD behind the depthwise-separable rewrite. */
class DepthwiseSeparableFactorsTest {
    @Test
    void fullRankReconstructsTheKernelAndRankOneIsTheBestSeparableOne() {
        int cout = 5;
        int cin = 3;
        long[] dims = {cout, cin, 3, 3};
        float[] w = new float[cout * cin * 9];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextDouble() * 2 - 1);
        }
        DepthwiseSeparable.Factors f = DepthwiseSeparable.factor(w, dims);
        assertThat(f.maxRank()).isEqualTo(5);
        assertThat(reconstructionError(f, w, 5)).isLessThan(1e-5);
        double e1 = reconstructionError(f, w, 1);
        double e3 = reconstructionError(f, w, 3);
        assertThat(e1).isGreaterThan(e3).isGreaterThan(1e-3);
        assertThat(f.parameters(1)).isEqualTo(3L * (9 + 5));
        assertThat(f.rankForEnergy(1.0)).isEqualTo(5);
        assertThat(f.rankForEnergy(1e-9)).isEqualTo(1);
    }

    @Test
    void aSeparableKernelIsExactAtRankOne() {
        int cout = 4;
        int cin = 2;
        float[] w = new float[cout * cin * 3];
        float[][] filter = {{1f, -2f, 0.5f}, {0.3f, 0.3f, -1f}};
        for (int o = 0; o < cout; o++) {
            for (int i = 0; i < cin; i++) {
                for (int k = 0; k < 3; k++) {
                    w[(o * cin + i) * 3 + k] = (o + 1) * (i == 0 ? 1f : -0.5f) * filter[i][k];
                }
            }
        }
        DepthwiseSeparable.Factors f = DepthwiseSeparable.factor(w, new long[] {cout, cin, 1, 3});
        assertThat(reconstructionError(f, w, 1)).isLessThan(1e-5);
        assertThat(f.rankForEnergy(0.999999)).isEqualTo(1);
    }

    /** max |W - sum_j P D| at rank r. */
    private static double reconstructionError(DepthwiseSeparable.Factors f, float[] w, int r) {
        float[][] dp = f.weights(r);
        double max = 0;
        for (int o = 0; o < f.cout; o++) {
            for (int i = 0; i < f.cin; i++) {
                for (int k = 0; k < f.spatial; k++) {
                    double sum = 0;
                    for (int j = 0; j < r; j++) {
                        sum +=
                                dp[1][o * f.cin * r + i * r + j]
                                        * dp[0][(i * r + j) * f.spatial + k];
                    }
                    max = Math.max(max, Math.abs(sum - w[(o * f.cin + i) * f.spatial + k]));
                }
            }
        }
        return max;
    }
}
