/**
 * The exact, retractable aggregation core of generic feature specs (docs/SPEC.md), in plain Java so
 * that every engine (batch, streaming, the naive reference) runs the same code.
 *
 * <p>A window is evaluated as adds and removes: an event enters a feature's window at one instant
 * and leaves it at another, and the answer at {@code t} is the running aggregate after every change
 * scheduled up to {@code t}. Each aggregation's state ({@link dev.parity.features.agg.AggState}) is
 * an element of an abelian group, so a pending change at one instant and a running aggregate are
 * the same type, and merging is exact, associative and commutative: {@code sum} is the double
 * nearest to the exact sum, and {@code min}, {@code max}, {@code count_distinct} and {@code last}
 * keep sorted multisets that can retract.
 *
 * <pre>{@code
 * Aggregator<?> agg = Aggregator.of(AggregationKind.parse("mean"), ValueType.parse("long"));
 * }</pre>
 */
package dev.parity.features.agg;
