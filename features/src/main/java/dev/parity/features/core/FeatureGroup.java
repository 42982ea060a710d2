package dev.parity.features.core;

import dev.parity.features.api.Aggregation;
import dev.parity.features.api.EventType;
import dev.parity.features.api.FeatureDefinition;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.KeySpec;
import dev.parity.features.api.NullPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The window features of a set that share a key, evaluated together by one keyed operator. Slot
 * {@code i} of a group is the feature at {@link #setIndex(int)} in the feature set.
 */
public final class FeatureGroup {
    private final int index;
    private final KeySpec key;
    private final List<FeatureDefinition> features;
    private final int[] setIndex;
    private final boolean[] consumes;
    private final long horizonMillis;

    private FeatureGroup(int index, KeySpec key, List<FeatureDefinition> features, int[] setIdx) {
        this.index = index;
        this.key = key;
        this.features = Collections.unmodifiableList(features);
        this.setIndex = setIdx;
        this.consumes = new boolean[EventType.values().length];
        long horizon = 0;
        for (FeatureDefinition f : features) {
            consumes[f.events().ordinal()] = true;
            horizon = Math.max(horizon, f.window().horizonMillis());
        }
        this.horizonMillis = horizon;
    }

    /** Splits a feature set into groups by key, in order of first appearance. */
    public static List<FeatureGroup> plan(FeatureSet set) {
        Map<KeySpec, List<Integer>> byKey = new LinkedHashMap<>();
        List<FeatureDefinition> defs = set.windowFeatures();
        for (int i = 0; i < defs.size(); i++) {
            byKey.computeIfAbsent(defs.get(i).key(), k -> new ArrayList<>()).add(i);
        }
        List<FeatureGroup> groups = new ArrayList<>();
        for (Map.Entry<KeySpec, List<Integer>> e : byKey.entrySet()) {
            List<Integer> idx = e.getValue();
            List<FeatureDefinition> fs = new ArrayList<>();
            int[] setIdx = new int[idx.size()];
            for (int j = 0; j < idx.size(); j++) {
                fs.add(defs.get(idx.get(j)));
                setIdx[j] = idx.get(j);
            }
            groups.add(new FeatureGroup(groups.size(), e.getKey(), fs, setIdx));
        }
        return Collections.unmodifiableList(groups);
    }

    public int index() {
        return index;
    }

    public KeySpec key() {
        return key;
    }

    public int size() {
        return features.size();
    }

    public FeatureDefinition feature(int slot) {
        return features.get(slot);
    }

    /** Position of this group's slot in the feature set's window features. */
    public int setIndex(int slot) {
        return setIndex[slot];
    }

    /** Whether any feature of the group aggregates events of this type. */
    public boolean consumes(EventType type) {
        return consumes[type.ordinal()];
    }

    /** Longest time an event influences this group's features, in millis. */
    public long horizonMillis() {
        return horizonMillis;
    }

    /**
     * Calls {@code sink} with the add and the remove that an event of {@code type} at {@code ts}
     * with delay {@code delay} causes: per slot, {@code +(1, delay)} at the window's valid-from
     * instant and {@code -(1, delay)} at its valid-until instant.
     */
    public void contributions(EventType type, long ts, long delay, DeltaSink sink) {
        contributions(type, ts, delay, Long.MIN_VALUE, sink);
    }

    /**
     * The contributions of a late event, applied from {@code notBefore} on: queries before that
     * instant were already answered, so the add moves to {@code notBefore} and a window that closed
     * before it contributes nothing. Later queries then see exactly what a run without the delay
     * sees; the earlier ones are what {@link #missed} reports.
     */
    public void contributions(EventType type, long ts, long delay, long notBefore, DeltaSink sink) {
        for (int slot = 0; slot < features.size(); slot++) {
            FeatureDefinition f = features.get(slot);
            if (f.events() != type) {
                continue;
            }
            long from = f.window().validFrom(ts);
            long until = f.window().validUntil(ts);
            if (until <= notBefore) {
                continue;
            }
            long sum = f.aggregation() == Aggregation.MEAN_DELAY ? delay : 0L;
            sink.add(Math.max(from, notBefore), slot, 1L, sum);
            sink.add(until, slot, -1L, -sum);
        }
    }

    /**
     * Calls {@code sink} for every feature of this group whose answers an event of {@code type} at
     * {@code ts} should have changed but could not, because queries up to {@code watermark} were
     * already answered: the query times {@code [from, until)} it missed, never empty.
     */
    public void missed(EventType type, long ts, long watermark, MissSink sink) {
        for (int slot = 0; slot < features.size(); slot++) {
            FeatureDefinition f = features.get(slot);
            if (f.events() != type) {
                continue;
            }
            long from = f.window().validFrom(ts);
            long until = Math.min(f.window().validUntil(ts), watermark + 1);
            if (from < until) {
                sink.missed(f, from, until);
            }
        }
    }

    /** Receives a feature and the query times {@code [from, until)} a late event missed. */
    @FunctionalInterface
    public interface MissSink {
        void missed(FeatureDefinition feature, long from, long until);
    }

    /**
     * Finalises the running aggregates into feature values, written at the features' positions of
     * {@code out} (a vector over the whole set's window features). A null is {@link Double#NaN}.
     */
    public void values(long[] counts, long[] sums, double[] out) {
        for (int slot = 0; slot < features.size(); slot++) {
            FeatureDefinition f = features.get(slot);
            long n = counts == null ? 0 : counts[slot];
            double v;
            if (f.aggregation() == Aggregation.COUNT) {
                v = n;
            } else if (n == 0) {
                v = f.nullPolicy() == NullPolicy.NULL_WHEN_EMPTY ? Double.NaN : 0.0;
            } else {
                v = (double) sums[slot] / n;
            }
            out[setIndex[slot]] = v;
        }
    }

    /** Receives one change to a slot's running aggregate, effective from instant {@code at}. */
    @FunctionalInterface
    public interface DeltaSink {
        void add(long at, int slot, long countDelta, long sumDelta);
    }

    @Override
    public String toString() {
        return "FeatureGroup{" + index + ", " + key.label() + ", " + features.size() + " features}";
    }
}
