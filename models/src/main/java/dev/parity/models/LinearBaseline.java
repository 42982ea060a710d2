package dev.parity.models;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * A least-squares linear regression of the delay on a training file, exported as ONNX with a full
 * manifest: the bundled demo model and the baseline the trained MLP must beat. Null features are
 * imputed with the column's training mean, and those means are the manifest's defaults, so serving
 * imputes exactly as training did.
 */
public final class LinearBaseline {
    private LinearBaseline() {}

    /** The fitted model. */
    public static final class Fit {
        public final float[] weights;
        public final float bias;
        public final double[] defaults;
        public final long rows;
        public final double mae;
        public final double rmse;

        Fit(float[] weights, float bias, double[] defaults, long rows, double mae, double rmse) {
            this.weights = weights;
            this.bias = bias;
            this.defaults = defaults;
            this.rows = rows;
            this.mae = mae;
            this.rmse = rmse;
        }
    }

    /**
     * Fits {@code label} on the contract's input columns, over every row of a training file (a
     * backfill's {@code features.csv}) whose label is not empty.
     */
    public static Fit fit(Path featuresCsv, ModelContract contract, String label)
            throws IOException {
        List<String> columns = contract.inputColumns();
        int d = columns.size();
        List<double[]> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        // RFC 4180: a spec's string columns may hold quoted commas
        try (FeatureTable.CsvLines in = new FeatureTable.CsvLines(featuresCsv, true)) {
            String[] header = in.next();
            if (header == null) {
                throw new IllegalArgumentException(featuresCsv + ": empty file");
            }
            List<String> names = Arrays.asList(header);
            int[] idx = new int[d];
            for (int j = 0; j < d; j++) {
                idx[j] = names.indexOf(columns.get(j));
                if (idx[j] < 0) {
                    throw new IllegalArgumentException(
                            featuresCsv + ":1: missing column '" + columns.get(j) + "'");
                }
            }
            int labelAt = names.indexOf(label);
            if (labelAt < 0) {
                throw new IllegalArgumentException(
                        featuresCsv + ":1: missing column '" + label + "' (the label)");
            }
            String[] f;
            while ((f = in.next()) != null) {
                if (f.length != names.size() && f.length <= 1) {
                    continue; // a blank line
                }
                if (f[labelAt].isEmpty()) {
                    continue; // unlabelled rows cannot be fitted
                }
                double[] x = new double[d];
                for (int j = 0; j < d; j++) {
                    String v = f[idx[j]];
                    // booleans as 1/0, like the scoring operator's input
                    x[j] =
                            v.isEmpty()
                                    ? Double.NaN
                                    : v.equals("true") || v.equals("false")
                                            ? (v.equals("true") ? 1.0 : 0.0)
                                            : Double.parseDouble(v);
                }
                xs.add(x);
                String y = f[labelAt];
                ys.add(y.equals("true") ? 1.0 : y.equals("false") ? 0.0 : Double.parseDouble(y));
            }
        }
        int n = xs.size();
        if (n <= d) {
            throw new IllegalArgumentException(
                    featuresCsv
                            + ": "
                            + n
                            + " labelled rows are too few to fit "
                            + d
                            + " features");
        }
        double[] defaults = new double[d];
        long[] counts = new long[d];
        for (double[] x : xs) {
            for (int j = 0; j < d; j++) {
                if (!Double.isNaN(x[j])) {
                    defaults[j] += x[j];
                    counts[j]++;
                }
            }
        }
        for (int j = 0; j < d; j++) {
            defaults[j] = counts[j] == 0 ? 0.0 : defaults[j] / counts[j];
        }
        DMatrixRMaj a = new DMatrixRMaj(n, d + 1);
        DMatrixRMaj b = new DMatrixRMaj(n, 1);
        for (int i = 0; i < n; i++) {
            double[] x = xs.get(i);
            for (int j = 0; j < d; j++) {
                a.set(i, j, Double.isNaN(x[j]) ? defaults[j] : x[j]);
            }
            a.set(i, d, 1.0);
            b.set(i, 0, ys.get(i));
        }
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.leastSquares(n, d + 1);
        if (!solver.setA(a)) {
            throw new IllegalStateException("least squares failed: the features are singular");
        }
        DMatrixRMaj w = new DMatrixRMaj(d + 1, 1);
        solver.solve(b, w);
        float[] weights = new float[d];
        for (int j = 0; j < d; j++) {
            weights[j] = (float) w.get(j, 0);
        }
        float bias = (float) w.get(d, 0);
        double abs = 0;
        double sq = 0;
        for (int i = 0; i < n; i++) {
            double p = bias;
            for (int j = 0; j < d; j++) {
                p += weights[j] * a.get(i, j);
            }
            double e = p - ys.get(i);
            abs += Math.abs(e);
            sq += e * e;
        }
        return new Fit(weights, bias, defaults, n, abs / n, Math.sqrt(sq / n));
    }

    /**
     * Registers a fit of {@code contract}'s inputs as {@code <registry>/<name>/<version>}; returns
     * the model directory.
     */
    public static String register(
            Fit fit,
            ModelContract contract,
            String registry,
            String name,
            String version,
            String source)
            throws IOException {
        byte[] onnx = LinearOnnxModel.build(fit.weights, fit.bias);
        ModelManifest m = new ModelManifest();
        m.createdAt = Instant.now().toString();
        m.featureSet = new ModelManifest.FeatureSetRef(contract.name(), contract.fingerprint());
        List<String> columns = contract.inputColumns();
        for (int j = 0; j < columns.size(); j++) {
            m.inputs.add(new ModelManifest.Input(columns.get(j), fit.defaults[j]));
        }
        m.inputTensor =
                new ModelManifest.TensorSpec(
                        LinearOnnxModel.INPUT, List.of(-1L, (long) columns.size()));
        m.outputTensor = new ModelManifest.TensorSpec(LinearOnnxModel.OUTPUT, List.of(-1L, 1L));
        m.task = "regression";
        m.metrics.put("train_rows", (double) fit.rows);
        m.metrics.put("train_mae", fit.mae);
        m.metrics.put("train_rmse", fit.rmse);
        m.lineage =
                new ModelManifest.Lineage(null, "least-squares", Map.of("training_file", source));
        return new ModelRegistry(registry).register(name, version, onnx, m);
    }
}
