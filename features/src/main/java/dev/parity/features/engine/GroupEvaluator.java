package dev.parity.features.engine;

import dev.parity.features.agg.AggState;
import dev.parity.features.agg.Aggregator;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The point-in-time algorithm for one feature group and one key, independent of any engine.
 *
 * <p>An event at {@code ts} schedules, per feature, its entry into the window at the first query
 * time whose window holds it ({@link dev.parity.features.spec.Window#validFrom}) and its exit at
 * the first one that no longer does ({@link dev.parity.features.spec.Window#validUntil}). A query
 * at {@code t} is answered when the engine's clock reaches {@code t}: first every change scheduled
 * at {@code t} is applied to the running aggregates, then they are read. Changes at one instant are
 * merged in an abelian group ({@link AggState}), so the answer depends only on the set of events,
 * never on their arrival order. The engine must call {@link #advanceTo} for every instant passed to
 * {@link Store#scheduleAt}, in increasing order, once all events up to that instant are in: Flink's
 * event-time timers give exactly that in BATCH and STREAMING mode.
 *
 * <p>The state lives behind {@link Store} (Flink keyed state in the operator, maps in tests).
 */
public final class GroupEvaluator {
    private final SpecPlan.Group group;
    private final Aggregator<?>[] aggregators;

    public GroupEvaluator(SpecPlan.Group group) {
        this.group = group;
        this.aggregators = new Aggregator<?>[group.size()];
        for (int i = 0; i < aggregators.length; i++) {
            aggregators[i] = group.slot(i).aggregator();
        }
    }

    public SpecPlan.Group group() {
        return group;
    }

    /**
     * Records event {@code e}, its changes taking effect no earlier than {@code notBefore}: for a
     * late event the first query time not yet answered, whose window then holds exactly what a run
     * without the delay holds; {@code Long.MIN_VALUE} for an event on time.
     */
    public void onEvent(EventRow e, long notBefore, Store store) throws Exception {
        if (!group.consumes(e.kind)) {
            return;
        }
        // Features with equal windows change at the same instants: merge locally so that each
        // instant costs one state read and one write.
        Map<Long, GroupState> changes = new LinkedHashMap<>(4);
        for (int s = 0; s < aggregators.length; s++) {
            SpecPlan.Slot slot = group.slot(s);
            if (slot.kind() != e.kind) {
                continue;
            }
            long from = slot.window().validFrom(e.time);
            long until = slot.window().validUntil(e.time);
            if (until <= notBefore) {
                continue;
            }
            Object value = slot.valueField() < 0 ? null : e.values[slot.valueField()];
            accumulate(changes, Math.max(from, notBefore), s, value, e, +1);
            accumulate(changes, until, s, value, e, -1);
        }
        for (Map.Entry<Long, GroupState> change : changes.entrySet()) {
            long at = change.getKey();
            GroupState pending = store.pendingAt(at);
            if (pending == null) {
                pending = change.getValue();
            } else {
                merge(pending, change.getValue());
            }
            store.putPending(at, pending);
            store.scheduleAt(at);
        }
    }

    private void accumulate(
            Map<Long, GroupState> changes, long at, int slot, Object value, EventRow e, int sign) {
        GroupState state = changes.computeIfAbsent(at, k -> new GroupState(aggregators.length));
        if (state.slots[slot] == null) {
            state.slots[slot] = aggregators[slot].empty();
        }
        accumulate(aggregators[slot], state.slots[slot], value, e.time, e.id, sign);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void accumulate(
            Aggregator agg, AggState into, Object value, long time, long id, int sign) {
        agg.accumulate(into, value, time, id, sign);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void merge(GroupState into, GroupState change) {
        for (int i = 0; i < into.slots.length; i++) {
            AggState c = change.slots[i];
            if (c == null) {
                continue;
            }
            if (into.slots[i] == null) {
                into.slots[i] = c;
            } else {
                ((AggState) into.slots[i]).apply(c);
            }
        }
    }

    /** Asks for this group's values for query {@code id} at {@code t}. */
    public void onQuery(long id, long t, Store store) throws Exception {
        long[] ids = store.queriesAt(t);
        long[] next;
        if (ids == null) {
            next = new long[] {id};
        } else {
            next = Arrays.copyOf(ids, ids.length + 1);
            next[ids.length] = id;
        }
        store.putQueries(t, next);
        store.scheduleAt(t);
    }

    /**
     * Applies the changes scheduled at {@code t}, then answers the queries at {@code t}. Drops the
     * running aggregates once every window is empty, so a key's state returns to nothing after its
     * last window closes.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void advanceTo(long t, Store store, Answers answers) throws Exception {
        GroupState running = store.running();
        GroupState pending = store.pendingAt(t);
        if (pending != null) {
            if (running == null) {
                running = new GroupState(aggregators.length);
            }
            for (int i = 0; i < aggregators.length; i++) {
                AggState p = pending.slots[i];
                if (p == null) {
                    continue;
                }
                if (running.slots[i] == null) {
                    running.slots[i] = aggregators[i].empty();
                }
                ((Aggregator) aggregators[i]).advance(running.slots[i], p);
            }
            store.removePending(t);
        }
        long[] ids = store.queriesAt(t);
        if (ids != null) {
            Object[] values = values(running);
            for (long id : ids) {
                answers.answer(id, t, values);
            }
            store.removeQueries(t);
        }
        if (running == null || running.isEmpty()) {
            if (running != null || pending != null) {
                store.clearRunning();
            }
        } else if (pending != null) {
            store.putRunning(running);
        }
    }

    /** The group's feature values over {@code running} (null: every window empty). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object[] values(GroupState running) {
        Object[] values = new Object[aggregators.length];
        for (int i = 0; i < values.length; i++) {
            Aggregator agg = aggregators[i];
            AggState s = running == null ? null : running.slots[i];
            values[i] = agg.result(s == null ? agg.empty() : s);
        }
        return values;
    }

    /**
     * Calls {@code sink} for every feature of the group whose answers event {@code e} should have
     * changed but could not, because queries up to {@code watermark} were already answered: the
     * query times {@code [from, until)} it missed, never empty.
     */
    public void missed(EventRow e, long watermark, MissSink sink) {
        for (int s = 0; s < aggregators.length; s++) {
            SpecPlan.Slot slot = group.slot(s);
            if (slot.kind() != e.kind) {
                continue;
            }
            long from = slot.window().validFrom(e.time);
            long until = Math.min(slot.window().validUntil(e.time), watermark + 1);
            if (from < until) {
                sink.missed(slot, from, until);
            }
        }
    }

    /** Receives a feature and the query times {@code [from, until)} a late event missed. */
    @FunctionalInterface
    public interface MissSink {
        void missed(SpecPlan.Slot feature, long from, long until);
    }

    /** Keyed state for one key of one group. */
    public interface Store {
        GroupState pendingAt(long t) throws Exception;

        void putPending(long t, GroupState changes) throws Exception;

        void removePending(long t) throws Exception;

        long[] queriesAt(long t) throws Exception;

        void putQueries(long t, long[] ids) throws Exception;

        void removeQueries(long t) throws Exception;

        GroupState running() throws Exception;

        void putRunning(GroupState running) throws Exception;

        void clearRunning() throws Exception;

        /** Asks the engine to call {@link #advanceTo} at {@code t}; idempotent. */
        void scheduleAt(long t) throws Exception;
    }

    /**
     * Receives the values of one query, in group slot order; shared between the queries of one
     * call.
     */
    @FunctionalInterface
    public interface Answers {
        void answer(long id, long t, Object[] values) throws Exception;
    }
}
