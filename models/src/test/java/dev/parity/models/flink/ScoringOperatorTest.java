package dev.parity.models.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.features.engine.FeatureRow;
import dev.parity.models.LinearOnnxModel;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import dev.parity.models.ModelRejectedException;
import dev.parity.models.TestingModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scoring operator under Flink's harness, with a linear model of known weights. */
class ScoringOperatorTest {
    private static final long WAIT = 5;

    @TempDir Path tmp;
    private String modelDir;

    @BeforeEach
    void register() throws Exception {
        byte[] bytes = TestingModels.linearBytes();
        ModelManifest m = TestingModels.manifestFor(bytes);
        // null window features are imputed with these
        for (int i = 3; i < m.inputs.size(); i++) {
            m.inputs.get(i).defaultValue = 100 + i;
        }
        modelDir = new ModelRegistry(tmp.toString()).register("flights", "7", bytes, m);
    }

    private OneInputStreamOperatorTestHarness<FeatureRow, Prediction> harness(int maxBatch)
            throws Exception {
        OneInputStreamOperatorTestHarness<FeatureRow, Prediction> h =
                new OneInputStreamOperatorTestHarness<>(
                        Scoring.of(new SpecRowInput(TestingModels.PLAN))
                                .serve(ServingModel.at(modelDir))
                                .maxBatch(maxBatch)
                                .maxWait(java.time.Duration.ofMillis(WAIT))
                                .build());
        h.open();
        return h;
    }

    /** Flight {@code id}'s model inputs: distance, hour, weekday, six features (null: none). */
    private static Object[] inputs(long id) {
        return new Object[] {
            100 + id, id % 24, 4L, id, 2L, id % 3 == 0 ? null : 1.5 * id, 4.0, null, -1.0 * id
        };
    }

    private static FeatureRow vector(long id) {
        return TestingModels.row(id, id * 3_600_000L, inputs(id));
    }

    /** The closed form: bias + sum of w_i x_i with nulls imputed, in float as ORT computes. */
    private static float expected(long id) {
        Object[] x = inputs(id);
        double y = TestingModels.BIAS;
        for (int i = 0; i < 9; i++) {
            double xi = x[i] == null ? 100 + i : ((Number) x[i]).doubleValue();
            y += (float) xi * TestingModels.WEIGHTS[i];
        }
        return (float) y;
    }

    @Test
    void predictionsEqualTheClosedFormWithImputedNullsAndCarryTheModel() throws Exception {
        try (var h = harness(4)) {
            for (long id = 1; id <= 10; id++) {
                h.processElement(new StreamRecord<>(vector(id)));
            }
            assertThat(h.extractOutputValues()).hasSize(8); // two full batches went out
            h.processWatermark(new Watermark(1));
            List<Prediction> out = h.extractOutputValues();
            assertThat(out).hasSize(10);
            for (Prediction p : out) {
                assertThat(p.model).isEqualTo("flights");
                assertThat(p.version).isEqualTo("7");
                assertThat(p.prediction)
                        .as("flight %d", p.id)
                        .isCloseTo(expected(p.id), org.assertj.core.data.Offset.offset(1e-3f));
            }
            // the watermark comes after every prediction it covers
            assertThat(h.getOutput().toArray()[h.getOutput().size() - 1])
                    .isInstanceOf(Watermark.class);
        }
    }

    @Test
    void resultsAreIdenticalForEveryBatchSize() throws Exception {
        List<String> first = null;
        for (int batch : new int[] {1, 3, 32, 256}) {
            try (var h = harness(batch)) {
                for (long id = 1; id <= 50; id++) {
                    h.processElement(new StreamRecord<>(vector(id)));
                }
                h.endInput();
                List<String> lines = new ArrayList<>();
                h.extractOutputValues().forEach(p -> lines.add(p.toCsv()));
                assertThat(lines).as("batch %d", batch).hasSize(50);
                if (first == null) {
                    first = lines;
                } else {
                    assertThat(lines).as("batch %d", batch).isEqualTo(first);
                }
            }
        }
    }

    @Test
    void aPartialBatchIsScoredOnceTheMaximumWaitPasses() throws Exception {
        try (var h = harness(256)) {
            h.setProcessingTime(1000);
            h.processElement(new StreamRecord<>(vector(1)));
            h.processElement(new StreamRecord<>(vector(2)));
            h.setProcessingTime(1000 + WAIT - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            h.setProcessingTime(1000 + WAIT);
            assertThat(h.extractOutputValues()).extracting(p -> p.id).containsExactly(1L, 2L);
        }
    }

    @Test
    void theBufferIsFlushedBeforeACheckpointBarrier() throws Exception {
        try (var h = harness(256)) {
            h.processElement(new StreamRecord<>(vector(1)));
            h.prepareSnapshotPreBarrier(1);
            assertThat(h.extractOutputValues()).extracting(p -> p.id).containsExactly(1L);
        }
    }

    @Test
    void unscorableRecordsGoToTheDeadLetterOutputAndTheRestIsScored() throws Exception {
        try (var h = harness(8)) {
            Object[] text = inputs(1);
            text[3] = "ORD";
            Object[] big = inputs(2);
            big[4] = Double.POSITIVE_INFINITY;
            h.processElement(new StreamRecord<>(TestingModels.row(1, 0, text)));
            FeatureRow infinite = TestingModels.row(2, 0, big);
            h.processElement(new StreamRecord<>(infinite));
            h.processElement(new StreamRecord<>(vector(3)));
            h.endInput();

            assertThat(h.getSideOutput(ScoringOperator.UNSCORABLE))
                    .extracting(r -> r.getValue().id + ": " + r.getValue().reason)
                    .containsExactly(
                            "1: input 'origin_dep_1h' is not a number: ORD",
                            "2: feature 'dest_arr_1h' is not finite: Infinity");
            assertThat(h.extractOutputValues()).extracting(p -> p.id).containsExactly(3L);
        }
    }

    @Test
    void aModelTheGateRejectsFailsOpenWithTheReason() throws Exception {
        byte[] eight = LinearOnnxModel.build(new float[8], 0f);
        String bad =
                new ModelRegistry(tmp.toString())
                        .register("flights", "8", eight, TestingModels.manifestFor(eight));
        var h =
                new OneInputStreamOperatorTestHarness<FeatureRow, Prediction>(
                        Scoring.of(new SpecRowInput(TestingModels.PLAN))
                                .serve(ServingModel.at(bad))
                                .maxBatch(4)
                                .maxWait(java.time.Duration.ofMillis(WAIT))
                                .build());
        assertThatThrownBy(h::open)
                .isInstanceOf(ModelRejectedException.class)
                .hasMessageContaining("flights/8/model.onnx: feature arity mismatch");
    }

    @Test
    void theNumericVersionGaugeTakesTheVersionsLeadingNumber() {
        assertThat(AbstractScoringOperator.leadingNumber("12")).isEqualTo(12);
        assertThat(AbstractScoringOperator.leadingNumber("3-int8-dynamic")).isEqualTo(3);
        assertThat(AbstractScoringOperator.leadingNumber("v2")).isEqualTo(-1);
        assertThat(AbstractScoringOperator.leadingNumber("")).isEqualTo(-1);
    }
}
