package dev.parity.features.api;

/** What a feature's value is when its window holds no events. */
public enum NullPolicy {
    /** The value is {@code 0}. Natural for counts. */
    ZERO_WHEN_EMPTY,
    /** The value is null (an empty CSV field, imputed by the model). Required for means. */
    NULL_WHEN_EMPTY
}
