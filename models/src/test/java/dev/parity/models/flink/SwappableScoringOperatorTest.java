package dev.parity.models.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.engine.FeatureRow;
import dev.parity.models.LinearOnnxModel;
import dev.parity.models.ModelRegistry;
import dev.parity.models.TestingModels;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot swap between batches, a refused model, and the serving model surviving a restore. */
class SwappableScoringOperatorTest {
    @TempDir Path tmp;
    private String v1;
    private String v2;
    private String bad;

    @BeforeEach
    void register() throws Exception {
        ModelRegistry registry = new ModelRegistry(tmp.toString());
        byte[] one = TestingModels.linearBytes();
        v1 = registry.register("flights", "1", one, TestingModels.manifestFor(one));
        // version 2 predicts a constant, so which model scored a record is plain to see
        byte[] two = LinearOnnxModel.build(new float[9], 42f);
        v2 = registry.register("flights", "2", two, TestingModels.manifestFor(two));
        byte[] eight = LinearOnnxModel.build(new float[8], 0f);
        bad = registry.register("flights", "3", eight, TestingModels.manifestFor(eight));
    }

    private TwoInputStreamOperatorTestHarness<FeatureRow, ModelAnnouncement, Prediction> harness()
            throws Exception {
        return new TwoInputStreamOperatorTestHarness<>(
                Scoring.of(new SpecRowInput(TestingModels.PLAN))
                        .serve(ServingModel.at(v1))
                        .maxBatch(4)
                        .buildSwappable());
    }

    private static StreamRecord<FeatureRow> vector(long id) {
        return new StreamRecord<>(
                TestingModels.row(id, id * 60_000L, 500L, 0L, 4L, 1L, 2L, 3.0, 4.0, 5.0, 6.0));
    }

    @Test
    void aSwapScoresTheBufferedBatchWithTheOldModelAndEverythingAfterWithTheNewOne()
            throws Exception {
        try (var h = harness()) {
            h.open();
            for (long id = 1; id <= 3; id++) {
                h.processElement1(vector(id));
            }
            h.processElement2(new StreamRecord<>(new ModelAnnouncement(v2)));
            for (long id = 4; id <= 8; id++) {
                h.processElement1(vector(id));
            }
            h.endInput1();

            List<Prediction> out = h.extractOutputValues();
            assertThat(out).extracting(p -> p.id).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
            assertThat(out)
                    .extracting(p -> p.version)
                    .containsExactly("1", "1", "1", "2", "2", "2", "2", "2");
            assertThat(out.subList(0, 3))
                    .allSatisfy(p -> assertThat(p.prediction).isNotEqualTo(42f));
            assertThat(out.subList(3, 8)).allSatisfy(p -> assertThat(p.prediction).isEqualTo(42f));
        }
    }

    @Test
    void aRefusedModelIsReportedAndTheCurrentOneKeepsServing() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement1(vector(1));
            h.processElement2(new StreamRecord<>(new ModelAnnouncement(bad)));
            h.processElement1(vector(2));
            h.endInput1();

            assertThat(h.getSideOutput(SwappableScoringOperator.REJECTED_MODELS))
                    .extracting(StreamRecord::getValue)
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(r.modelDir).isEqualTo(bad);
                                assertThat(r.reason)
                                        .contains("flights/3/model.onnx: feature arity mismatch");
                                assertThat(r.servingModel).isEqualTo("flights/1");
                            });
            assertThat(h.extractOutputValues())
                    .extracting(p -> p.version)
                    .containsExactly("1", "1");
        }
    }

    @Test
    void aShadowModelScoresEveryRecordToo() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement1(vector(1));
            h.processElement2(new StreamRecord<>(ModelAnnouncement.shadow(v2)));
            h.processElement1(vector(2));
            h.endInput1();

            List<Prediction> out = h.extractOutputValues();
            assertThat(out.get(0).shadowModel).isNull(); // scored before the shadow arrived
            assertThat(out.get(1).version).isEqualTo("1");
            assertThat(out.get(1).prediction).isNotEqualTo(42f);
            assertThat(out.get(1).shadowVersion).isEqualTo("2");
            assertThat(out.get(1).shadowPrediction).isEqualTo(42f);
            assertThat(out.get(1).shadowCsv()).isEqualTo("2,flights,2,42.0");
        }
    }

    @Test
    void aStaticShadowIsLoadedAtOpen() throws Exception {
        try (var h =
                new TwoInputStreamOperatorTestHarness<FeatureRow, ModelAnnouncement, Prediction>(
                        Scoring.of(new SpecRowInput(TestingModels.PLAN))
                                .serve(ServingModel.at(v1))
                                .shadow(ServingModel.at(v2))
                                .maxBatch(4)
                                .buildSwappable())) {
            h.open();
            h.processElement1(vector(1));
            h.endInput1();
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            p -> {
                                assertThat(p.version).isEqualTo("1");
                                assertThat(p.prediction).isNotEqualTo(42f);
                                assertThat(p.shadowPrediction).isEqualTo(42f);
                            });
        }
    }

    @Test
    void afterARestoreEverySubtaskServesTheModelItHadSwitchedTo() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement2(new StreamRecord<>(new ModelAnnouncement(v2)));
            snapshot = h.snapshot(1, 1);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement1(vector(9));
            restored.endInput1();
            assertThat(restored.extractOutputValues())
                    .singleElement()
                    .satisfies(p -> assertThat(p.version).isEqualTo("2"));
        }
    }

    @Test
    void aShadowAnnouncedAtRunTimeSurvivesARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement2(new StreamRecord<>(ModelAnnouncement.shadow(v2)));
            snapshot = h.snapshot(1, 1);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement1(vector(9));
            restored.endInput1();
            assertThat(restored.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            p -> {
                                assertThat(p.version).isEqualTo("1");
                                assertThat(p.shadowVersion).isEqualTo("2");
                                assertThat(p.shadowPrediction).isEqualTo(42f);
                            });
        }
    }

    @Test
    void aRestoreWithoutAShadowInStateHasNone() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            snapshot = h.snapshot(1, 1);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement1(vector(9));
            restored.endInput1();
            assertThat(restored.extractOutputValues())
                    .singleElement()
                    .satisfies(p -> assertThat(p.shadowModel).isNull());
        }
    }
}
