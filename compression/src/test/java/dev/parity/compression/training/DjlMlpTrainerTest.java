package dev.parity.compression.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.compression.TestingModels;
import dev.parity.models.FeatureTable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DjlMlpTrainerTest {
    @TempDir static Path dir;
    static FeatureTable table;
    static DjlMlpTrainer trainer;
    static DjlMlpTrainer.Result teacher;

    @BeforeAll
    static void trainTeacher() throws Exception {
        Path csv = SyntheticFeatures.write(dir, 12_000, 7);
        table = FeatureTable.load(csv, TestingModels.CONTRACT.inputColumns());
        trainer =
                new DjlMlpTrainer(
                        DjlMlpTrainer.Options.builder()
                                .epochs(25)
                                .batchSize(128)
                                .learningRate(3e-3f)
                                .patience(4)
                                .build());
        teacher = trainer.train(table, new int[] {32, 32});
    }

    @Test
    void learnsTheNonlinearRelationBetterThanTheMean() {
        int[] report = table.rowsOf(FeatureTable.Split.REPORT);
        float[] y = table.labels(report);
        float[] pred =
                DjlMlpTrainer.predict(
                        teacher.mlp(), teacher.mlp().preprocessing().apply(table.features(report)));
        float[] train = table.labels(table.rowsOf(FeatureTable.Split.TRAIN));
        double mean = 0;
        for (float v : train) {
            mean += v;
        }
        float[] constant = new float[y.length];
        java.util.Arrays.fill(constant, (float) (mean / train.length));
        assertThat(Metrics.mae(pred, y)).isLessThan(0.7 * Metrics.mae(constant, y));
    }

    @Test
    void exportedGraphAgreesWithDjlOnValidationRows() throws Exception {
        byte[] onnx = MlpOnnx.export(teacher.mlp());
        float[] val = table.features(table.rowsOf(FeatureTable.Split.VALIDATION));
        assertThat(trainer.verifyExport(teacher.mlp(), onnx, val))
                .isLessThanOrEqualTo(DjlMlpTrainer.TOLERANCE);
    }

    @Test
    void nullFeaturesAreImputedIdenticallyInDjlAndOnnx() throws Exception {
        Mlp mlp = teacher.mlp();
        int d = mlp.inputs();
        float[] allNull = new float[d];
        java.util.Arrays.fill(allNull, Float.NaN);
        float[] imputedByHand = mlp.preprocessing().defaults();
        float[] rows = new float[2 * d];
        System.arraycopy(allNull, 0, rows, 0, d);
        System.arraycopy(imputedByHand, 0, rows, d, d);
        float[] ort = DjlMlpTrainer.ortPredict(MlpOnnx.export(mlp), mlp, rows);
        float[] djl = DjlMlpTrainer.predict(mlp, mlp.preprocessing().apply(rows));
        assertThat(ort[0]).isEqualTo(ort[1]);
        assertThat(djl[0]).isEqualTo(djl[1]);
        assertThat((double) Math.abs(ort[0] - djl[0])).isLessThan(1e-5 * Math.max(1, djl[0]));
    }

    @Test
    void exportParsesBackToTheSameArrays() {
        byte[] onnx = MlpOnnx.export(teacher.mlp());
        Mlp again = MlpOnnx.parse(onnx);
        assertThat(again.parameterCount()).isEqualTo(teacher.mlp().parameterCount());
        assertThat(again.preprocessing().std())
                .containsExactly(teacher.mlp().preprocessing().std());
        for (int k = 0; k < again.layers().size(); k++) {
            assertThat(again.layers().get(k).weights())
                    .containsExactly(teacher.mlp().layers().get(k).weights());
        }
        assertThat(MlpOnnx.export(again)).isEqualTo(onnx);
    }

    @Test
    void fineTuneKeepsZeroWeightsAtZero() throws Exception {
        Mlp mlp = teacher.mlp();
        java.util.List<Mlp.Layer> pruned = new java.util.ArrayList<>();
        for (Mlp.Layer l : mlp.layers()) {
            float[] w = l.weights();
            for (int i = 0; i < w.length; i += 2) {
                w[i] = 0f; // half the weights, unstructured
            }
            pruned.add(new Mlp.Layer(l.in(), l.out(), w, l.bias(), l.relu()));
        }
        Mlp start = mlp.withLayers(pruned);
        byte[] tuned = trainer.fineTune(MlpOnnx.export(start), table, 3);
        Mlp after = MlpOnnx.parse(tuned);
        boolean changed = false;
        for (int k = 0; k < after.layers().size(); k++) {
            float[] before = start.layers().get(k).weights();
            float[] now = after.layers().get(k).weights();
            for (int i = 0; i < now.length; i++) {
                if (before[i] == 0f) {
                    assertThat(now[i]).as("layer %d weight %d", k, i).isZero();
                } else if (now[i] != before[i]) {
                    changed = true;
                }
            }
        }
        assertThat(changed).as("fine-tuning changed the remaining weights").isTrue();
        int[] val = table.rowsOf(FeatureTable.Split.VALIDATION);
        double maeStart = mae(start, val);
        double maeAfter = mae(after, val);
        assertThat(maeAfter).isLessThanOrEqualTo(maeStart * 1.02);
    }

    @Test
    void fineTuneHandlesStructurallyShrunkLayers() throws Exception {
        Mlp mlp = teacher.mlp();
        // Drop the first 8 neurons of the first hidden layer: a smaller dense model.
        Mlp.Layer l0 = mlp.layers().get(0);
        Mlp.Layer l1 = mlp.layers().get(1);
        int keep = l0.out() - 8;
        float[] w0 = new float[l0.in() * keep];
        float[] b0 = new float[keep];
        for (int i = 0; i < l0.in(); i++) {
            System.arraycopy(l0.weights(), i * l0.out() + 8, w0, i * keep, keep);
        }
        System.arraycopy(l0.bias(), 8, b0, 0, keep);
        float[] w1 = new float[keep * l1.out()];
        System.arraycopy(l1.weights(), 8 * l1.out(), w1, 0, w1.length);
        java.util.List<Mlp.Layer> layers = new java.util.ArrayList<>(mlp.layers());
        layers.set(0, new Mlp.Layer(l0.in(), keep, w0, b0, true));
        layers.set(1, new Mlp.Layer(keep, l1.out(), w1, l1.bias(), true));
        byte[] tuned = trainer.fineTune(MlpOnnx.export(mlp.withLayers(layers)), table, 2);
        assertThat(MlpOnnx.parse(tuned).hiddenSizes()).containsExactly(keep, 32);
    }

    @Test
    void fineTuneTrainsAFactorisedLayerAndKeepsItsShape() throws Exception {
        Mlp mlp = teacher.mlp();
        // Split the second hidden layer W[32,32] into U[32,4] (no bias, no ReLU) and V[4,32].
        java.util.Random rnd = new java.util.Random(3);
        float[] u = new float[32 * 4];
        float[] v = new float[4 * 32];
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) (rnd.nextGaussian() * 0.3);
            v[i] = (float) (rnd.nextGaussian() * 0.3);
        }
        java.util.List<Mlp.Layer> layers = new java.util.ArrayList<>();
        layers.add(mlp.layers().get(0));
        layers.add(new Mlp.Layer(32, 4, u, null, false));
        layers.add(new Mlp.Layer(4, 32, v, mlp.layers().get(1).bias(), true));
        layers.add(mlp.layers().get(2));
        Mlp factorised = mlp.withLayers(layers);
        byte[] onnx = MlpOnnx.export(factorised);
        Mlp after = MlpOnnx.parse(trainer.fineTune(onnx, table, 2));
        assertThat(after.hiddenSizes()).containsExactly(32, 4, 32);
        assertThat(after.layers().get(1).hasBias()).isFalse();
        assertThat(after.layers().get(1).relu()).isFalse();
        assertThat(after.layers().get(1).weights()).isNotEqualTo(u);
        int[] val = table.rowsOf(FeatureTable.Split.VALIDATION);
        assertThat(mae(after, val)).isLessThan(mae(factorised, val));
    }

    @Test
    void distilledStudentIsSmallerAndKeepsTensorNames() throws Exception {
        byte[] teacherOnnx = MlpOnnx.export(teacher.mlp());
        byte[] student = trainer.distill(teacherOnnx, table, new int[] {8}, 0.7f);
        Mlp s = MlpOnnx.parse(student);
        assertThat(s.parameterCount()).isLessThan(teacher.mlp().parameterCount() / 10);
        assertThat(s.inputName()).isEqualTo(teacher.mlp().inputName());
        assertThat(s.outputName()).isEqualTo(teacher.mlp().outputName());
        assertThat(s.preprocessing().defaults())
                .containsExactly(teacher.mlp().preprocessing().defaults());
        int[] report = table.rowsOf(FeatureTable.Split.REPORT);
        assertThat(mae(s, report)).isLessThan(1.5 * mae(teacher.mlp(), report));
    }

    @Test
    void sameSeedGivesTheSameModel() {
        DjlMlpTrainer quick =
                new DjlMlpTrainer(
                        DjlMlpTrainer.Options.builder()
                                .epochs(2)
                                .batchSize(256)
                                .seed(5)
                                .log(null)
                                .build());
        byte[] a = MlpOnnx.export(quick.train(table, new int[] {16}).mlp());
        byte[] b = MlpOnnx.export(quick.train(table, new int[] {16}).mlp());
        assertThat(a).isEqualTo(b);
    }

    @Test
    void rejectsAGraphThatIsNotTheMlpLayout() {
        byte[] linear = dev.parity.models.LinearOnnxModel.build(new float[9], 1f);
        assertThatThrownBy(() -> trainer.fineTune(linear, table, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not the MLP layout");
    }

    @Test
    void badInputNamesFileLineAndColumn() throws Exception {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(
                bad,
                SyntheticFeatures.HEADER + "\n0,2001-01-01T00:01:00Z,SEA,SFO,abc,1,1,0,0,,,,,5\n");
        assertThatThrownBy(() -> FeatureTable.load(bad, TestingModels.CONTRACT.inputColumns()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.csv:2")
                .hasMessageContaining("'distance'");
    }

    private static double mae(Mlp mlp, int[] rows) {
        float[] pred = DjlMlpTrainer.predict(mlp, mlp.preprocessing().apply(table.features(rows)));
        return Metrics.mae(pred, table.labels(rows));
    }
}
