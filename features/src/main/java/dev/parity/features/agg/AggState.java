package dev.parity.features.agg;

import java.io.DataOutput;
import java.io.IOException;

/**
 * The state of one aggregation: both the running aggregate of a window and a pending change (the
 * adds and removes scheduled at one instant, merged). Being one type is what makes the engine
 * exact: a state is an element of an abelian group (a signed multiset, or a sum over one), {@link
 * #apply} is its associative and commutative operation, so merging changes first or applying them
 * one by one, in any order, gives the same state and bit-identical results.
 *
 * <p>A pending change may hold negative entries: a remove whose add is at an earlier instant. A
 * running aggregate may not; {@link #applyToRunning} checks that.
 *
 * <pre>{@code
 * Aggregator<?> max = Aggregator.of(AggregationKind.MAX, ValueType.DOUBLE);
 * // see Aggregator for the add/remove cycle
 * }</pre>
 *
 * @param <S> the concrete state type
 */
public interface AggState<S extends AggState<S>> {
    /** Adds {@code change} into this state: the group operation, with no checks. */
    void apply(S change);

    /**
     * {@link #apply}, for a running aggregate: fails when an entry that {@code change} touches ends
     * up removed more often than added, which is a remove of something never added (an engine bug,
     * or state restored from another spec).
     *
     * @param aggregation names the aggregation in the exception, e.g. {@code max(double)}
     * @throws IllegalStateException on such a remove; this state is then partly updated
     */
    void applyToRunning(S change, String aggregation);

    /** True when this holds nothing: keyed state for it can be dropped. */
    boolean isEmpty();

    /** A deep copy, independent of this state. */
    S copy();

    /** Writes this state, led by its format byte; its class has the matching {@code read}. */
    void write(DataOutput out) throws IOException;
}
