package dev.parity.models.flink;

import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.SpecPlan;
import dev.parity.models.ModelGate;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Scores the rows of any feature spec with one model (see {@link AbstractScoringOperator}); the
 * model's manifest must name the spec's fingerprint and its numeric columns.
 *
 * <pre>{@code
 * rows.transform("score", TypeInformation.of(Prediction.class),
 *         new SpecScoringOperator(modelDir, ModelGate.builder().build(), plan, 256, 5, 1));
 * }</pre>
 */
public final class SpecScoringOperator extends AbstractScoringOperator<FeatureRow>
        implements OneInputStreamOperator<FeatureRow, Prediction>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    public SpecScoringOperator(
            String modelDir,
            ModelGate gate,
            SpecPlan plan,
            int maxBatch,
            long maxWaitMillis,
            int intraOpThreads) {
        this(modelDir, gate, new SpecRowInput(plan), maxBatch, maxWaitMillis, intraOpThreads);
    }

    /** Reading the columns of {@code input}'s contract, such as the online ones. */
    public SpecScoringOperator(
            String modelDir,
            ModelGate gate,
            SpecRowInput input,
            int maxBatch,
            long maxWaitMillis,
            int intraOpThreads) {
        super(modelDir, gate, input, maxBatch, maxWaitMillis, intraOpThreads);
    }

    /** Shadows every row with the candidate in {@code shadowModelDir}; see {@link #setShadow}. */
    public SpecScoringOperator withShadow(String shadowModelDir) {
        setShadow(shadowModelDir);
        return this;
    }

    @Override
    public void processElement(StreamRecord<FeatureRow> element) throws Exception {
        score(element);
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }
}
