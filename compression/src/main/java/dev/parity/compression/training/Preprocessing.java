package dev.parity.compression.training;

import dev.parity.models.FeatureTable;

/**
 * Imputation and standardisation in front of the network: {@code (isNaN(x) ? default : x - mean) /
 * std} per column, in float32 arithmetic so that the Java path that feeds DJL and the ONNX graph
 * ({@code Where(IsNaN)}, {@code Sub}, {@code Div}) compute bit-identical network inputs.
 */
public final class Preprocessing {
    private final float[] defaults;
    private final float[] mean;
    private final float[] std;

    public Preprocessing(float[] defaults, float[] mean, float[] std) {
        if (defaults.length != mean.length || mean.length != std.length) {
            throw new IllegalArgumentException(
                    "defaults, mean and std differ in length: "
                            + defaults.length
                            + ", "
                            + mean.length
                            + ", "
                            + std.length);
        }
        for (int j = 0; j < std.length; j++) {
            if (!(std[j] > 0) || !Float.isFinite(std[j])) {
                throw new IllegalArgumentException(
                        "std of column " + j + " must be positive and finite, got " + std[j]);
            }
        }
        this.defaults = defaults.clone();
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /**
     * Fits on {@code rows} (the TRAIN split): each column's default is the mean of its non-null
     * values, and mean and std are those of the imputed column (what the network actually sees). A
     * column that is constant or always null gets std 1, so it passes through as zeros.
     */
    public static Preprocessing fit(FeatureTable table, int[] rows) {
        int d = table.columns().size();
        double[] sum = new double[d];
        long[] count = new long[d];
        for (int i : rows) {
            for (int j = 0; j < d; j++) {
                float v = table.feature(i, j);
                if (!Float.isNaN(v)) {
                    sum[j] += v;
                    count[j]++;
                }
            }
        }
        float[] defaults = new float[d];
        for (int j = 0; j < d; j++) {
            defaults[j] = count[j] == 0 ? 0f : (float) (sum[j] / count[j]);
        }
        // Imputed values equal the default, so the imputed column's mean is the default again;
        // its variance only counts the non-null deviations (the imputed ones are zero).
        double[] sq = new double[d];
        for (int i : rows) {
            for (int j = 0; j < d; j++) {
                float v = table.feature(i, j);
                if (!Float.isNaN(v)) {
                    double e = v - (double) defaults[j];
                    sq[j] += e * e;
                }
            }
        }
        float[] std = new float[d];
        for (int j = 0; j < d; j++) {
            double s = rows.length == 0 ? 0 : Math.sqrt(sq[j] / rows.length);
            std[j] = s > 1e-6 ? (float) s : 1f;
        }
        return new Preprocessing(defaults, defaults.clone(), std);
    }

    public int columns() {
        return mean.length;
    }

    public float[] defaults() {
        return defaults.clone();
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    /** The network input for raw rows (row-major, NaN for null), as the ONNX graph computes it. */
    public float[] apply(float[] raw) {
        int d = mean.length;
        if (raw.length % d != 0) {
            throw new IllegalArgumentException(
                    raw.length + " values are not whole rows of " + d + " features");
        }
        float[] out = new float[raw.length];
        for (int k = 0; k < raw.length; k++) {
            int j = k % d;
            float v = Float.isNaN(raw[k]) ? defaults[j] : raw[k];
            out[k] = (v - mean[j]) / std[j];
        }
        return out;
    }
}
