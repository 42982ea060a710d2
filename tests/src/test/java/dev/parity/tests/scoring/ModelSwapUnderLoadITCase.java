package dev.parity.tests.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.engine.EngineTypes;
import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.jobs.LocalFlink;
import dev.parity.models.LinearOnnxModel;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import dev.parity.models.flink.ModelAnnouncement;
import dev.parity.models.flink.Prediction;
import dev.parity.models.flink.Scoring;
import dev.parity.models.flink.ServingModel;
import dev.parity.models.flink.SpecRowInput;
import dev.parity.models.flink.SwappableScoringOperator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model swap while records flow, on a local MiniCluster at parallelism 2: every record is scored
 * exactly once, by the old model or by the new one and never by anything in between, and each
 * subtask closes the retired session once.
 */
class ModelSwapUnderLoadITCase {
    private static final SpecPlan PLAN = SpecPlan.of(BundledSpec.flights());
    private static final ModelContract SET = ModelContract.of(PLAN);
    private static final int RECORDS = 200_000;

    /** Records that entered scoring; the MiniCluster runs in this JVM. */
    static final AtomicLong SEEN = new AtomicLong();

    @TempDir Path tmp;

    @Test
    void recordsKeepFlowingAndEachIsScoredByExactlyOneWholeModel() throws Exception {
        ModelRegistry registry = new ModelRegistry(tmp.toString());
        String v1 =
                registry.register("m", "1", LinearOnnxModel.build(new float[9], 7f), manifest());
        String v2 =
                registry.register("m", "2", LinearOnnxModel.build(new float[9], 42f), manifest());
        SEEN.set(0);

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        LocalFlink.configuration(RuntimeExecutionMode.STREAMING, true));
        env.setParallelism(2);
        DataStream<FeatureRow> vectors =
                env.fromSequence(1, RECORDS)
                        .map(ModelSwapUnderLoadITCase::vector)
                        .returns(EngineTypes.ROW);
        DataStream<ModelAnnouncement> control =
                env.fromSequence(1, 1)
                        .map(i -> announceWhenBusy(v2))
                        .returns(TypeInformation.of(ModelAnnouncement.class))
                        .setParallelism(1);
        DataStream<Prediction> predictions =
                vectors.connect(control.broadcast())
                        .transform(
                                "score",
                                TypeInformation.of(Prediction.class),
                                Scoring.of(new SpecRowInput(PLAN))
                                        .serve(ServingModel.at(v1))
                                        .maxBatch(64)
                                        .buildSwappable())
                        .uid("score");

        OUT.clear();
        predictions.sinkTo(new QueueSink()).name("collect");
        JobExecutionResult result = env.execute("swap-under-load");
        List<Prediction> out = new ArrayList<>(OUT);

        Set<Long> ids = new HashSet<>();
        long byOld = 0;
        long byNew = 0;
        for (Prediction p : out) {
            assertThat(ids.add(p.id)).as("flight %d scored twice", p.id).isTrue();
            if (p.version.equals("1")) {
                assertThat(p.prediction).isEqualTo(7f);
                byOld++;
            } else {
                assertThat(p.version).isEqualTo("2");
                assertThat(p.prediction).isEqualTo(42f);
                byNew++;
            }
        }
        assertThat(ids).hasSize(RECORDS);
        assertThat(byOld).as("scored before the swap").isPositive();
        assertThat(byNew).as("scored after the swap").isPositive();
        // each of the two subtasks retired the old session exactly once
        assertThat(
                        result.<Long>getAccumulatorResult(
                                SwappableScoringOperator.SESSIONS_CLOSED_ON_SWAP))
                .isEqualTo(2L);
    }

    static final ConcurrentLinkedQueue<Prediction> OUT = new ConcurrentLinkedQueue<>();

    /** Collects into {@link #OUT}; copies, since object reuse is on. */
    static final class QueueSink implements Sink<Prediction> {
        @Override
        public SinkWriter<Prediction> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Prediction p, Context c) {
                    OUT.add(new Prediction(p.id, p.depTime, p.model, p.version, p.prediction));
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /** Waits (bounded) until scoring is under way, then announces the new model. */
    private static ModelAnnouncement announceWhenBusy(String dir) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (SEEN.get() < RECORDS / 20 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        return new ModelAnnouncement(dir);
    }

    private static FeatureRow vector(long id) {
        SEEN.incrementAndGet();
        Object[] inputs = {500L, 0L, 4L, 1L, 2L, 3.0, 4.0, 5.0, 6.0};
        int[] positions = PLAN.positionsOf(SET.inputColumns());
        Object[] values = new Object[PLAN.header().size() - 1];
        for (int i = 0; i < positions.length; i++) {
            values[positions[i]] = inputs[i];
        }
        return new FeatureRow(id, id * 60_000L, values);
    }

    private static ModelManifest manifest() {
        ModelManifest m = new ModelManifest();
        m.featureSet = new ModelManifest.FeatureSetRef(SET.name(), SET.fingerprint());
        for (String c : SET.inputColumns()) {
            m.inputs.add(new ModelManifest.Input(c, 0.0));
        }
        m.inputTensor = new ModelManifest.TensorSpec(LinearOnnxModel.INPUT, List.of(-1L, 9L));
        m.outputTensor = new ModelManifest.TensorSpec(LinearOnnxModel.OUTPUT, List.of(-1L, 1L));
        m.task = "regression";
        return m;
    }
}
