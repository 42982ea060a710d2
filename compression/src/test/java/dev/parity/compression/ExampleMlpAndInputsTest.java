package dev.parity.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.compression.eval.Evaluation;
import dev.parity.compression.eval.ModelInputs;
import dev.parity.models.FeatureTable;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleMlpAndInputsTest {
    @TempDir Path tmp;

    @Test
    void exampleMlpIsARegisteredRegressorThatBeatsTheMean() throws Exception {
        Path csv = CompressionJobTest.featuresCsv(tmp);
        String dir = ExampleMlp.build(csv, tmp.resolve("reg").toString(), "mlp", new int[] {32}, 3);
        ModelRegistry.LoadedModel m =
                ModelRegistry.load(dir, ModelGate.builder().build(), TestingModels.CONTRACT);
        FeatureTable t = FeatureTable.load(csv, m.manifest().inputNames());
        int[] june = t.rowsOf(FeatureTable.Split.REPORT);
        float[] labels = t.labels(june);
        ModelInputs in =
                ModelInputs.ofRows(
                        "features",
                        9,
                        TeacherInputs.impute(t.features(june), m.manifest()),
                        "june");
        List<Map<String, float[]>> out =
                Evaluation.outputs(m.bytes(), in.batches(june.length, 256));
        double mae = Evaluation.errors(out, "prediction", labels)[0];
        float[] train = t.labels(t.rowsOf(FeatureTable.Split.TRAIN));
        double mean = 0;
        for (float y : train) {
            mean += y / train.length;
        }
        double baseline = 0;
        for (float y : labels) {
            baseline += Math.abs(y - mean) / labels.length;
        }
        assertThat(mae).isLessThan(baseline * 0.8);
        assertThat(m.manifest().lineage.method).isEqualTo("random-feature-mlp");
    }

    @Test
    void generatedInputsFollowTheDeclaredShapes() {
        ModelInputs dynamic =
                ModelInputs.generated(
                        List.of(new ModelInputs.Spec("x", new long[] {-1, 3, -1})), 1);
        ModelInputs.Batch b = dynamic.batch(0, 4);
        assertThat(b.shapes.get("x")).containsExactly(4, 3, ModelInputs.DYNAMIC_DIM);
        assertThat(b.values.get("x")).hasSize(4 * 3 * ModelInputs.DYNAMIC_DIM);
        // The same batch number gives the same values; another gives others.
        assertThat(dynamic.batch(0, 4).values.get("x")).containsExactly(b.values.get("x"));
        assertThat(dynamic.batch(1, 4).values.get("x")).isNotEqualTo(b.values.get("x"));
        ModelInputs fixed =
                ModelInputs.generated(List.of(new ModelInputs.Spec("x", new long[] {2, 5})), 1);
        assertThat(fixed.batch(0, 256).shapes.get("x")).containsExactly(2, 5);
        assertThat(fixed.batchRows(256)).isEqualTo(2);
    }
}
