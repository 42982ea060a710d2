package dev.parity.models.flink;

import dev.parity.models.ModelContract;
import java.io.Serializable;

/**
 * How the scoring operator reads one record type: its id and time, and its model input row in the
 * contract's column order (the gate has checked that every model's manifest lists exactly those
 * columns). One implementation per record type, none per dataset: {@link SpecRowInput} serves every
 * feature spec.
 *
 * @param <T> the record type scored
 */
public interface ScoringInput<T> extends Serializable {
    /** The feature set and input columns the records provide. */
    ModelContract contract();

    long id(T record);

    /** The record's query time, epoch millis (carried into the prediction). */
    long time(T record);

    /**
     * Writes the record's inputs into {@code row}, {@code defaults[i]} where input {@code i} is
     * null; returns why the record cannot be scored, or null.
     */
    String fill(T record, double[] defaults, float[] row);
}
