package dev.parity.models.flink;

import dev.parity.features.api.FeatureSet;
import dev.parity.features.core.FeatureVector;
import dev.parity.models.ModelGate;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Scores a stream of feature vectors with one model (see {@link AbstractScoringOperator}).
 *
 * <pre>{@code
 * vectors.transform("score", TypeInformation.of(Prediction.class),
 *         new ScoringOperator(modelDir, ModelGate.builder().build(), set, 256, 5, 1)).uid("score");
 * }</pre>
 */
public final class ScoringOperator extends AbstractScoringOperator<FeatureVector>
        implements OneInputStreamOperator<FeatureVector, Prediction>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    public ScoringOperator(
            String modelDir,
            ModelGate gate,
            FeatureSet featureSet,
            int maxBatch,
            long maxWaitMillis,
            int intraOpThreads) {
        super(
                modelDir,
                gate,
                new FlightVectorInput(featureSet),
                maxBatch,
                maxWaitMillis,
                intraOpThreads);
    }

    /**
     * Shadows every record with the candidate in {@code shadowModelDir}; see {@link #setShadow}.
     */
    public ScoringOperator withShadow(String shadowModelDir) {
        setShadow(shadowModelDir);
        return this;
    }

    @Override
    public void processElement(StreamRecord<FeatureVector> element) throws Exception {
        score(element);
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }
}
