package dev.parity.compression;

import dev.parity.compression.onnx.MlpOnnx;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.models.FeatureTable;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * An MLP teacher of a chosen size for compression benchmarks until the DJL teacher lands: the
 * hidden layers are seeded random (He initialisation) and only the output layer is fitted, by ridge
 * regression on the last hidden activations of TRAIN rows (a random-feature network). It is a real
 * regressor of the delay in the {@link dev.parity.compression.spi.MlpTrainer} graph form
 * (imputation, standardisation, Gemm/Relu), registered with a full manifest.
 *
 * <pre>
 * java -cp ... dev.parity.compression.ExampleMlp features.csv out/models flights-mlp 256,256
 * </pre>
 */
public final class ExampleMlp {
    private static final int FIT_ROWS = 200_000;

    private ExampleMlp() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: ExampleMlp <features.csv> <registry> <name> <hidden,sizes>");
            System.exit(2);
        }
        int[] hidden = Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
        String dir = build(Path.of(args[0]), args[1], args[2], hidden, 42);
        System.out.println("registered " + dir);
    }

    /** Fits the output layer, registers the model as {@code <registry>/<name>/1}. */
    public static String build(Path features, String registry, String name, int[] hidden, long seed)
            throws Exception {
        ModelContract set = ModelContract.of(SpecPlan.of(BundledSpec.flights()));
        List<String> cols = set.inputColumns();
        int d = cols.size();
        FeatureTable table = FeatureTable.load(features, cols);
        int[] train = TeacherInputs.spread(table.rowsOf(FeatureTable.Split.TRAIN), FIT_ROWS);
        float[] x = table.features(train);
        float[] y = table.labels(train);
        // Imputation defaults and standardisation from the TRAIN rows.
        float[] mean = new float[d];
        float[] std = new float[d];
        for (int j = 0; j < d; j++) {
            double s = 0;
            double s2 = 0;
            long n = 0;
            for (int i = 0; i < train.length; i++) {
                float v = x[i * d + j];
                if (!Float.isNaN(v)) {
                    s += v;
                    s2 += (double) v * v;
                    n++;
                }
            }
            mean[j] = (float) (s / Math.max(1, n));
            std[j] =
                    (float)
                            Math.max(
                                    1e-3,
                                    Math.sqrt(
                                            Math.max(0, s2 / Math.max(1, n) - mean[j] * mean[j])));
        }
        List<MlpOnnx.Layer> layers = MlpOnnx.randomLayers(d, hidden, 1, seed);
        // Last hidden activations of the fit rows, with a bias column.
        int h = hidden[hidden.length - 1];
        DMatrixRMaj ata = new DMatrixRMaj(h + 1, h + 1);
        DMatrixRMaj aty = new DMatrixRMaj(h + 1, 1);
        double[] row = new double[h + 1];
        for (int i = 0; i < train.length; i++) {
            float[] a = new float[d];
            for (int j = 0; j < d; j++) {
                float v = x[i * d + j];
                a[j] = ((Float.isNaN(v) ? mean[j] : v) - mean[j]) / std[j];
            }
            for (int l = 0; l < layers.size() - 1; l++) {
                a = reluLayer(layers.get(l), a);
            }
            for (int k = 0; k < h; k++) {
                row[k] = a[k];
            }
            row[h] = 1;
            for (int p = 0; p <= h; p++) {
                if (row[p] == 0) {
                    continue;
                }
                for (int q = 0; q <= h; q++) {
                    ata.data[p * (h + 1) + q] += row[p] * row[q];
                }
                aty.data[p] += row[p] * y[i];
            }
        }
        double ridge = 1e-3 * train.length;
        for (int p = 0; p < h; p++) {
            ata.data[p * (h + 1) + p] += ridge;
        }
        DMatrixRMaj w = new DMatrixRMaj(h + 1, 1);
        if (!CommonOps_DDRM.solve(ata, aty, w)) {
            throw new IllegalStateException("least squares failed");
        }
        MlpOnnx.Layer out = layers.get(layers.size() - 1);
        for (int k = 0; k < h; k++) {
            out.w[k] = (float) w.data[k];
        }
        out.b[0] = (float) w.data[h];
        byte[] onnx = MlpOnnx.build(mean, mean, std, layers);

        ModelManifest m = new ModelManifest();
        m.featureSet = new ModelManifest.FeatureSetRef(set.name(), set.fingerprint());
        for (int j = 0; j < d; j++) {
            m.inputs.add(new ModelManifest.Input(cols.get(j), mean[j]));
        }
        m.inputTensor = new ModelManifest.TensorSpec(MlpOnnx.INPUT, List.of(-1L, (long) d));
        m.outputTensor = new ModelManifest.TensorSpec(MlpOnnx.OUTPUT, List.of(-1L, 1L));
        m.task = "regression";
        m.lineage =
                new ModelManifest.Lineage(
                        null,
                        "random-feature-mlp",
                        Map.of(
                                "hidden", args(hidden),
                                "seed", Long.toString(seed),
                                "fit",
                                        "ridge regression of the output layer on "
                                                + train.length
                                                + " TRAIN rows",
                                "training_file", features.getFileName().toString()));
        return new ModelRegistry(registry).register(name, "1", onnx, m);
    }

    private static float[] reluLayer(MlpOnnx.Layer l, float[] in) {
        float[] o = l.b.clone();
        for (int i = 0; i < l.in; i++) {
            float v = in[i];
            if (v == 0) {
                continue;
            }
            for (int j = 0; j < l.out; j++) {
                o[j] += v * l.w[i * l.out + j];
            }
        }
        for (int j = 0; j < l.out; j++) {
            o[j] = Math.max(0, o[j]);
        }
        return o;
    }

    private static String args(int[] hidden) {
        List<String> s = new ArrayList<>();
        for (int x : hidden) {
            s.add(Integer.toString(x));
        }
        return String.join(",", s).toLowerCase(Locale.ROOT);
    }
}
