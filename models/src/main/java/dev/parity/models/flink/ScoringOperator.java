package dev.parity.models.flink;

import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Scores a stream of records with one model for the job's lifetime (see {@link
 * AbstractScoringOperator}); built by {@link Scoring#build()}.
 *
 * <pre>{@code
 * rows.transform("score", TypeInformation.of(Prediction.class),
 *         Scoring.of(new SpecRowInput(plan)).serve(ServingModel.at(modelDir)).build()).uid("score");
 * }</pre>
 */
public final class ScoringOperator<T> extends AbstractScoringOperator<T>
        implements OneInputStreamOperator<T, Prediction>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    ScoringOperator(Scoring<T> spec) {
        super(spec);
    }

    @Override
    public void processElement(StreamRecord<T> element) throws Exception {
        score(element);
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }
}
