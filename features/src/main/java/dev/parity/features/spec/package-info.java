/**
 * Feature specs: a dataset's event kinds, how file rows become events, the query and the window
 * features, declared as data (YAML or {@link dev.parity.features.spec.FeatureSpec#builder()}) and
 * validated before any job starts. Plain Java, no Flink types: the engine, readers, writers and
 * scoring take their schema from a {@link dev.parity.features.spec.FeatureSpec}.
 *
 * <pre>{@code
 * FeatureSpec spec = FeatureSpec.load(Path.of("examples/flights/flights.yaml"));
 * spec.outputHeader();   // [id, dep_time, origin, ..., delay]
 * spec.fingerprint();    // sha256 of the canonical form
 * }</pre>
 *
 * <p>Expressions are CEL, compiled and evaluated only through {@link
 * dev.parity.features.spec.SpecExpressions}. The reference is {@code docs/SPEC.md}.
 */
package dev.parity.features.spec;
