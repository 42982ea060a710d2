package dev.parity.compression.eval;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Quality of a model against labels (MAE/RMSE on the REPORT rows) and against the teacher's outputs
 * (max/mean absolute difference over every float output), on the same inputs.
 */
public final class Evaluation {
    private Evaluation() {}

    /** All outputs of a model on a list of batches, concatenated per batch. */
    public static List<Map<String, float[]>> outputs(byte[] onnx, List<ModelInputs.Batch> batches)
            throws OrtException {
        List<Map<String, float[]>> out = new ArrayList<>();
        try (OrtModel m = OrtModel.open(onnx)) {
            for (ModelInputs.Batch b : batches) {
                out.add(m.run(b));
            }
        }
        return out;
    }

    /** Max and mean absolute difference of every float output the teacher has. */
    public static double[] agreement(
            List<Map<String, float[]>> teacher, List<Map<String, float[]>> variant) {
        double max = 0;
        double sum = 0;
        long n = 0;
        for (int b = 0; b < teacher.size(); b++) {
            for (Map.Entry<String, float[]> e : teacher.get(b).entrySet()) {
                float[] v = variant.get(b).get(e.getKey());
                if (v == null || v.length != e.getValue().length) {
                    throw new IllegalStateException(
                            "output '"
                                    + e.getKey()
                                    + "' missing or of another size in the variant");
                }
                for (int i = 0; i < v.length; i++) {
                    double d = Math.abs((double) v[i] - e.getValue()[i]);
                    if (Double.isNaN(d)) {
                        d = Double.POSITIVE_INFINITY;
                    }
                    max = Math.max(max, d);
                    sum += d;
                    n++;
                }
            }
        }
        return new double[] {max, n == 0 ? 0 : sum / n};
    }

    /** Mean |teacher output| over all outputs, the scale agreement is judged against. */
    public static double meanAbs(List<Map<String, float[]>> outputs) {
        double sum = 0;
        long n = 0;
        for (Map<String, float[]> m : outputs) {
            for (float[] v : m.values()) {
                for (float x : v) {
                    sum += Math.abs(x);
                    n++;
                }
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    /** MAE and RMSE of {@code output} against {@code labels} (batches in label order). */
    public static double[] errors(
            List<Map<String, float[]>> outputs, String output, float[] labels) {
        double abs = 0;
        double sq = 0;
        int i = 0;
        for (Map<String, float[]> m : outputs) {
            float[] p = m.get(output);
            if (p == null) {
                throw new IllegalStateException("no output '" + output + "'");
            }
            for (float x : p) {
                double d = (double) x - labels[i++];
                abs += Math.abs(d);
                sq += d * d;
            }
        }
        if (i != labels.length) {
            throw new IllegalStateException(i + " predictions for " + labels.length + " labels");
        }
        return new double[] {abs / i, Math.sqrt(sq / i)};
    }
}
