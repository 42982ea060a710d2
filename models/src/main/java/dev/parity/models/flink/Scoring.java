package dev.parity.models.flink;

import java.time.Duration;
import java.util.Objects;

/**
 * Builds the scoring operators: what they read ({@link ScoringInput}), the model they serve, an
 * optional shadow candidate ({@link ServingModel} both) and the micro-batching. The same builder
 * makes the one-model operator of the backfill, batch and online jobs and the hot-swappable one of
 * the streaming jobs.
 *
 * <pre>{@code
 * ScoringOperator<FeatureRow> scoring =
 *         Scoring.of(new SpecRowInput(plan))
 *                 .serve(ServingModel.at("registry/my-model/1"))
 *                 .shadow(ServingModel.at("registry/my-model/2"))   // optional
 *                 .maxBatch(256)
 *                 .maxWait(Duration.ofMillis(5))
 *                 .build();
 * rows.transform("score", TypeInformation.of(Prediction.class), scoring).uid("score");
 * }</pre>
 *
 * Defaults: batches of 256, at most 5 ms of waiting, one ONNX Runtime intra-op thread.
 */
public final class Scoring<T> {
    private final ScoringInput<T> input;
    private ServingModel serving;
    private ServingModel shadow;
    private int maxBatch = 256;
    private Duration maxWait = Duration.ofMillis(5);
    private int intraOpThreads = 1;

    private Scoring(ScoringInput<T> input) {
        this.input = Objects.requireNonNull(input, "input");
    }

    /** Scoring of the records {@code input} reads (a spec's rows, the flights vectors). */
    public static <T> Scoring<T> of(ScoringInput<T> input) {
        return new Scoring<>(input);
    }

    /** The model to serve; required. */
    public Scoring<T> serve(ServingModel model) {
        this.serving = Objects.requireNonNull(model, "model");
        return this;
    }

    /**
     * A candidate scored on every record next to the serving model, both predictions in one {@link
     * Prediction}; it must fit the same contract. Null for none.
     */
    public Scoring<T> shadow(ServingModel candidate) {
        this.shadow = candidate;
        return this;
    }

    /** Records per ONNX Runtime call, at least 1. */
    public Scoring<T> maxBatch(int maxBatch) {
        this.maxBatch = maxBatch;
        return this;
    }

    /** Processing time a record may wait for its batch to fill; zero scores record by record. */
    public Scoring<T> maxWait(Duration maxWait) {
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
        return this;
    }

    public Scoring<T> intraOpThreads(int threads) {
        this.intraOpThreads = threads;
        return this;
    }

    /** The operator serving one model for the job's lifetime. */
    public ScoringOperator<T> build() {
        check();
        return new ScoringOperator<>(this);
    }

    /** The operator whose models change at run time through a control stream. */
    public SwappableScoringOperator<T> buildSwappable() {
        check();
        return new SwappableScoringOperator<>(this);
    }

    private void check() {
        if (serving == null) {
            throw new IllegalArgumentException("a serving model is required (serve(...))");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("'maxBatch' must be at least 1, got " + maxBatch);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("'maxWait' must not be negative, got " + maxWait);
        }
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException(
                    "'intraOpThreads' must be at least 1, got " + intraOpThreads);
        }
    }

    ScoringInput<T> input() {
        return input;
    }

    ServingModel serving() {
        return serving;
    }

    ServingModel shadow() {
        return shadow;
    }

    int maxBatch() {
        return maxBatch;
    }

    long maxWaitMillis() {
        return maxWait.toMillis();
    }

    int intraOpThreads() {
        return intraOpThreads;
    }
}
