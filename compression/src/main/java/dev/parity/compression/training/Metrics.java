package dev.parity.compression.training;

/** Regression metrics over float predictions and labels, accumulated in double. */
public final class Metrics {
    private Metrics() {}

    public static double mae(float[] pred, float[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += Math.abs(pred[i] - (double) y[i]);
        }
        return s / y.length;
    }

    public static double rmse(float[] pred, float[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            double e = pred[i] - (double) y[i];
            s += e * e;
        }
        return Math.sqrt(s / y.length);
    }

    /** 1 - SSE / SST around the labels' own mean. */
    public static double r2(float[] pred, float[] y) {
        double mean = 0;
        for (float v : y) {
            mean += v;
        }
        mean /= y.length;
        double sse = 0;
        double sst = 0;
        for (int i = 0; i < y.length; i++) {
            double e = pred[i] - (double) y[i];
            double c = y[i] - mean;
            sse += e * e;
            sst += c * c;
        }
        return 1 - sse / sst;
    }
}
