package dev.parity.features.engine;

import dev.parity.features.agg.AggState;

/**
 * The aggregation states of one feature group for one key: either the running aggregates or the
 * pending change scheduled at one instant (the same type, see {@link AggState}). Slot {@code i} is
 * the group's slot {@code i}; null means nothing (an empty state). Stored with {@link
 * EngineTypes#GROUP_STATE}.
 */
public final class GroupState {
    final AggState<?>[] slots;

    GroupState(int size) {
        this.slots = new AggState<?>[size];
    }

    GroupState(AggState<?>[] slots) {
        this.slots = slots;
    }

    /** True when every slot is empty: the key's state can be dropped. */
    boolean isEmpty() {
        for (AggState<?> s : slots) {
            if (s != null && !s.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    GroupState copy() {
        AggState<?>[] c = new AggState<?>[slots.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = slots[i] == null ? null : slots[i].copy();
        }
        return new GroupState(c);
    }

    @Override
    public String toString() {
        return java.util.Arrays.toString(slots);
    }
}
