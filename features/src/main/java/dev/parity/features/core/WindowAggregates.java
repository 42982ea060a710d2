package dev.parity.features.core;

import java.util.Arrays;

/**
 * Running count and delay sum per slot of one {@link FeatureGroup} for one key, and the pending
 * changes scheduled at one instant. Both are plain arrays of longs, so applying and undoing a
 * change is exact and the result never depends on the order events arrived in.
 *
 * <p>A Flink POJO (public fields, no-arg constructor) so it lives in keyed state without Kryo.
 */
public class WindowAggregates {
    public long[] counts;
    public long[] sums;

    public WindowAggregates() {}

    public WindowAggregates(int slots) {
        this.counts = new long[slots];
        this.sums = new long[slots];
    }

    public void add(int slot, long countDelta, long sumDelta) {
        counts[slot] += countDelta;
        sums[slot] += sumDelta;
    }

    /** Adds every slot of {@code other} into this. */
    public void apply(WindowAggregates other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
            sums[i] += other.sums[i];
        }
    }

    /** True when no event is in any window: the state for the key can be dropped. */
    public boolean isEmpty() {
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0 || sums[i] != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "counts=" + Arrays.toString(counts) + " sums=" + Arrays.toString(sums);
    }
}
