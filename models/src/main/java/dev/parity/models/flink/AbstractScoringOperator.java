package dev.parity.models.flink;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import dev.parity.models.OnnxScorer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Scores feature vectors with an ONNX model inside the Flink task, in micro-batches: up to {@code
 * maxBatch} records, or whatever arrived within {@code maxWaitMillis} of processing time, go
 * through one ONNX Runtime {@code run()}. Features are written straight into the scorer's direct
 * buffer on arrival, so the operator keeps no references to input records and its memory is bounded
 * by {@code maxBatch}.
 *
 * <p>The batch is flushed before a watermark is forwarded (so no prediction becomes late), before a
 * checkpoint barrier (so no record sits in an unsnapshotted buffer) and at end of input. Null
 * features get the manifest's imputation defaults; a vector of the wrong arity or with a non-finite
 * value goes to {@link #UNSCORABLE} with the reason and is counted. Each prediction carries the
 * model name and version. Results do not depend on how records were batched.
 */
public abstract class AbstractScoringOperator<T> extends AbstractStreamOperator<Prediction> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<UnscorableRecord> UNSCORABLE =
            new OutputTag<>("unscorable-records") {};

    private final ServingModel serving;
    protected final ModelGate gate;
    protected final ScoringInput<T> input;
    protected final ModelContract contract;
    private final int maxBatch;
    private final long maxWaitMillis;
    private final int intraOpThreads;

    protected ServingModel shadowModel;

    protected transient OnnxScorer scorer;
    protected transient OnnxScorer shadowScorer;
    protected transient ModelManifest shadowManifest;
    private transient double[] shadowDefaults;
    private transient float[] shadowRow;
    private transient float[] shadowResults;
    protected transient ModelManifest manifest;
    protected transient double[] defaults;
    private transient long[] ids;
    private transient long[] depTimes;
    private transient float[] results;
    private transient float[] row;
    private transient int size;
    private transient StreamRecord<Prediction> reuse;
    private transient boolean timerPending;
    private transient Counter scored;
    private transient Counter unscorable;
    private transient Histogram batchSizes;
    private transient Histogram latencyMicros;
    private transient Counter shadowFailures;

    protected AbstractScoringOperator(Scoring<T> spec) {
        this.serving = spec.serving();
        this.gate = serving.gate();
        this.input = spec.input();
        this.contract = input.contract();
        this.shadowModel = spec.shadow();
        this.maxBatch = spec.maxBatch();
        this.maxWaitMillis = spec.maxWaitMillis();
        this.intraOpThreads = spec.intraOpThreads();
    }

    /**
     * Also scores every record with the candidate {@code shadow} (null: none) and emits both
     * predictions in one {@link Prediction}. The candidate passes its gate and the same contract;
     * its own imputation defaults apply.
     */
    protected void setShadow(ServingModel shadow) {
        this.shadowModel = shadow;
    }

    @Override
    public void open() throws Exception {
        super.open();
        ModelRegistry.LoadedModel model =
                ModelRegistry.load(initialModelDir(serving.dir()), gate, contract);
        install(model, openScorer(model));
        int arity = manifest.inputs.size();
        reuse = new StreamRecord<>(null);
        if (shadowModel != null) {
            ModelRegistry.LoadedModel shadow = shadowModel.load(contract);
            installShadow(shadow, openScorer(shadow));
        }
        ids = new long[maxBatch];
        depTimes = new long[maxBatch];
        results = new float[maxBatch];
        row = new float[arity];
        scored = getMetricGroup().counter("recordsScored");
        unscorable = getMetricGroup().counter("recordsUnscorable");
        batchSizes =
                getMetricGroup().histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
        latencyMicros =
                getMetricGroup()
                        .histogram(
                                "scoringLatencyMicros", new DescriptiveStatisticsHistogram(1000));
        getMetricGroup().gauge("modelVersion", () -> manifest.version);
        // Prometheus exports numeric gauges only: the version's leading number, -1 if none.
        getMetricGroup().gauge("modelVersionNumber", () -> leadingNumber(manifest.version));
        shadowFailures = getMetricGroup().counter("shadowFailures");
    }

    /** {@code "12-int8-dynamic"} -> 12; -1 when the version does not start with a digit. */
    static long leadingNumber(String version) {
        int end = 0;
        while (end < version.length() && end < 18 && Character.isDigit(version.charAt(end))) {
            end++;
        }
        return end == 0 ? -1 : Long.parseLong(version.substring(0, end));
    }

    /** The model to load in {@code open()}: the configured one unless state says otherwise. */
    protected String initialModelDir(String configured) {
        return configured;
    }

    /** Opens a session for a gated model; the caller owns it. */
    protected OnnxScorer openScorer(ModelRegistry.LoadedModel model) throws Exception {
        ModelManifest m = model.manifest();
        return OnnxScorer.open(
                model.bytes(),
                m.inputTensor.name,
                m.outputTensor.name,
                m.inputs.size(),
                maxBatch,
                intraOpThreads,
                OptLevel.ALL_OPT);
    }

    /** Makes {@code model} the one scoring from the next batch on; the buffer must be empty. */
    protected void install(ModelRegistry.LoadedModel model, OnnxScorer next) {
        if (size != 0) {
            throw new IllegalStateException("a model is installed only between batches");
        }
        scorer = next;
        manifest = model.manifest();
        defaults = new double[manifest.inputs.size()];
        for (int i = 0; i < defaults.length; i++) {
            defaults[i] = manifest.inputs.get(i).defaultValue;
        }
        scorer.inputBuffer();
    }

    /**
     * Makes {@code model} the shadow from the next batch on; returns the previous shadow scorer.
     */
    protected OnnxScorer installShadow(ModelRegistry.LoadedModel model, OnnxScorer next) {
        if (size != 0) {
            throw new IllegalStateException("a shadow model is installed only between batches");
        }
        OnnxScorer previous = shadowScorer;
        shadowScorer = next;
        shadowManifest = model.manifest();
        shadowDefaults = new double[shadowManifest.inputs.size()];
        for (int i = 0; i < shadowDefaults.length; i++) {
            shadowDefaults[i] = shadowManifest.inputs.get(i).defaultValue;
        }
        shadowRow = new float[shadowDefaults.length];
        shadowResults = new float[maxBatch];
        shadowScorer.inputBuffer();
        return previous;
    }

    /** Scores one record (possibly later, with its batch). */
    protected void score(StreamRecord<T> element) throws Exception {
        T v = element.getValue();
        String problem = input.fill(v, defaults, row);
        if (problem == null && shadowScorer != null) {
            problem = input.fill(v, shadowDefaults, shadowRow);
        }
        if (problem == null) {
            problem = nonFinite(row);
        }
        if (problem != null) {
            unscorable.inc();
            output.collect(
                    UNSCORABLE, new StreamRecord<>(new UnscorableRecord(input.id(v), problem)));
            return;
        }
        scorer.inputBufferAt(size).put(row);
        if (shadowScorer != null) {
            shadowScorer.inputBufferAt(size).put(shadowRow);
        }
        ids[size] = input.id(v);
        depTimes[size] = input.time(v);
        size++;
        if (size == maxBatch) {
            flush();
        } else if (!timerPending) {
            timerPending = true;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(now + maxWaitMillis, t -> onMaxWait());
        }
    }

    private String nonFinite(float[] row) {
        for (int i = 0; i < row.length; i++) {
            if (!Float.isFinite(row[i])) {
                return "feature '" + manifest.inputs.get(i).name + "' is not finite: " + row[i];
            }
        }
        return null;
    }

    private void onMaxWait() throws Exception {
        timerPending = false;
        flush();
    }

    /** Scores the buffered records now, with the current model. */
    protected void flush() throws Exception {
        if (size == 0) {
            return;
        }
        long start = System.nanoTime();
        boolean shadowed = false;
        try {
            scorer.score(size, results);
        } catch (Exception e) {
            size = 0; // the task fails; its records are replayed from the last checkpoint
            throw e;
        }
        if (shadowScorer != null) {
            try {
                shadowScorer.score(size, shadowResults);
                shadowed = true;
            } catch (Exception e) {
                // A failing candidate must never stop serving: drop it, report, go on.
                shadowFailures.inc();
                LOG.warn(
                        "Shadow model {} failed and is dropped: {}",
                        shadowManifest.version,
                        e.toString());
                OnnxScorer failed = shadowScorer;
                shadowScorer = null;
                failed.close();
            }
        }
        latencyMicros.update((System.nanoTime() - start) / 1000);
        batchSizes.update(size);
        for (int i = 0; i < size; i++) {
            Prediction p =
                    new Prediction(
                            ids[i], depTimes[i], manifest.name, manifest.version, results[i]);
            if (shadowed) {
                p.shadowModel = shadowManifest.name;
                p.shadowVersion = shadowManifest.version;
                p.shadowPrediction = shadowResults[i];
            }
            output.collect(reuse.replace(p));
        }
        scored.inc(size);
        size = 0;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            try {
                if (scorer != null) {
                    scorer.close();
                    scorer = null;
                }
            } finally {
                if (shadowScorer != null) {
                    shadowScorer.close();
                    shadowScorer = null;
                }
            }
        } finally {
            super.close();
        }
    }
}
