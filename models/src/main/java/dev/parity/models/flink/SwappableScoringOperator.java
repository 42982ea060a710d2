package dev.parity.models.flink;

import dev.parity.models.ModelGate;
import dev.parity.models.ModelRegistry;
import dev.parity.models.OnnxScorer;
import java.util.Iterator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Scores feature vectors (input 1) and swaps models when a {@link ModelAnnouncement} arrives (input
 * 2, broadcast to every subtask). The announced model is loaded and passes the {@link ModelGate}
 * while the current one keeps its place; then the buffered batch is scored with the current model,
 * the new one is installed and the old session is closed, once. Because the operator runs on one
 * thread, no batch is in flight at that moment and no record is scored by a half-loaded model. A
 * refused model leaves the current one serving and is reported: a warning in the log, the {@code
 * modelSwapsRejected} counter and a {@link ModelRejection} on {@link #REJECTED_MODELS}.
 *
 * <p>The serving model's directory is operator state (union list state), so after a failure or a
 * rescale every subtask resumes with the model it had switched to, not the one the job started
 * with.
 *
 * <pre>{@code
 * vectors.connect(announcements.broadcast())
 *         .transform("score", TypeInformation.of(Prediction.class),
 *                 Scoring.of(input).serve(ServingModel.at(initialDir)).buildSwappable())
 *         .uid("score");
 * }</pre>
 */
public final class SwappableScoringOperator<T> extends AbstractScoringOperator<T>
        implements TwoInputStreamOperator<T, ModelAnnouncement, Prediction>, BoundedMultiInput {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<ModelRejection> REJECTED_MODELS =
            new OutputTag<>("rejected-models") {};

    /** Accumulator: sessions closed because a swap retired them (one per subtask and swap). */
    public static final String SESSIONS_CLOSED_ON_SWAP = "paritySessionsClosedOnSwap";

    private transient ListState<String> servingState;
    private transient ListState<String> shadowState;
    private transient String servingDir;
    private transient String shadowDir;
    private transient Counter swaps;
    private transient Counter swapsRejected;
    private transient LongCounter sessionsClosedOnSwap;

    /** Built by {@link Scoring#buildSwappable()}. */
    SwappableScoringOperator(Scoring<T> spec) {
        super(spec);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        servingState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>("serving-model", Types.STRING));
        shadowState =
                context.getOperatorStateStore()
                        .getUnionListState(new ListStateDescriptor<>("shadow-model", Types.STRING));
        shadowDir = shadowModel == null ? null : shadowModel.dir();
        if (context.isRestored()) {
            Iterator<String> it = servingState.get().iterator();
            // every subtask serves the same model, so any copy of the union will do
            servingDir = it.hasNext() ? it.next() : null;
            // a shadow announced at run time survives a restore too; an empty state means the
            // job had none when it was snapshotted
            Iterator<String> shadow = shadowState.get().iterator();
            shadowDir = shadow.hasNext() ? shadow.next() : null;
            setShadow(shadowDir == null ? null : ServingModel.at(shadowDir).gatedBy(gate));
        }
    }

    @Override
    protected String initialModelDir(String configured) {
        if (servingDir == null) {
            servingDir = configured;
        }
        return servingDir;
    }

    @Override
    public void open() throws Exception {
        super.open();
        swaps = getMetricGroup().counter("modelSwaps");
        swapsRejected = getMetricGroup().counter("modelSwapsRejected");
        sessionsClosedOnSwap = getRuntimeContext().getLongCounter(SESSIONS_CLOSED_ON_SWAP);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        servingState.update(java.util.List.of(servingDir));
        shadowState.update(shadowDir == null ? java.util.List.of() : java.util.List.of(shadowDir));
    }

    @Override
    public void processElement1(StreamRecord<T> element) throws Exception {
        score(element);
    }

    @Override
    public void processElement2(StreamRecord<ModelAnnouncement> element) throws Exception {
        String dir = element.getValue().modelDir;
        boolean shadow = element.getValue().shadow;
        if (dir == null || (!shadow && dir.equals(servingDir))) {
            return;
        }
        ModelRegistry.LoadedModel next;
        OnnxScorer nextScorer;
        try {
            next = ModelRegistry.load(dir, gate, contract);
            nextScorer = openScorer(next);
        } catch (Exception e) {
            swapsRejected.inc();
            String serving = manifest.name + "/" + manifest.version;
            LOG.warn("Refused model {}; still serving {}: {}", dir, serving, e.getMessage());
            output.collect(
                    REJECTED_MODELS,
                    new StreamRecord<>(new ModelRejection(dir, e.getMessage(), serving)));
            return;
        }
        try {
            flush();
        } catch (Exception e) {
            nextScorer.close();
            throw e;
        }
        if (shadow) {
            OnnxScorer previous = installShadow(next, nextScorer);
            if (previous != null) {
                previous.close();
            }
            shadowDir = dir;
            LOG.info(
                    "Now shadowing with {}/{} from {}",
                    shadowManifest.name,
                    shadowManifest.version,
                    dir);
            return;
        }
        OnnxScorer old = scorer;
        install(next, nextScorer);
        servingDir = dir;
        old.close();
        sessionsClosedOnSwap.add(1L);
        swaps.inc();
        LOG.info("Now serving {}/{} from {}", manifest.name, manifest.version, dir);
    }

    /** The directory of the model serving now (for tests and metrics). */
    String servingDir() {
        return servingDir;
    }

    /** The directory of the shadow model, or null (for tests). */
    String shadowDir() {
        return shadowDir;
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1) {
            flush();
        }
    }
}
