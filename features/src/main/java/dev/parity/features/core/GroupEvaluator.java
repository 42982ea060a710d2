package dev.parity.features.core;

import dev.parity.features.api.EventType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The point-in-time algorithm for one {@link FeatureGroup} and one key, independent of any engine.
 *
 * <p>An event at {@code ts} schedules, per feature, an add at the first query time whose window
 * contains it and a remove at the first one whose window no longer does. A query at {@code t} is
 * answered when the engine's clock reaches {@code t}: first every change scheduled at {@code t} is
 * applied, then the running aggregates are read. Changes scheduled at the same instant are summed,
 * so the answer depends only on the set of events, never on their arrival order. The engine must
 * call {@link #advanceTo} for every instant passed to {@link Store#scheduleAt}, in increasing
 * order, once all events up to that instant are in: Flink's event-time timers give exactly that in
 * both BATCH and STREAMING mode.
 *
 * <p>The state lives behind {@link Store} (Flink keyed state in the operators, maps in tests), so
 * this class holds none of its own.
 */
public final class GroupEvaluator {
    private final FeatureGroup group;
    private final int windowFeatureCount;

    public GroupEvaluator(FeatureGroup group, int windowFeatureCount) {
        this.group = group;
        this.windowFeatureCount = windowFeatureCount;
    }

    public FeatureGroup group() {
        return group;
    }

    /** Records an event of {@code type} at {@code ts} (delay ignored for departures). */
    public void onEvent(EventType type, long ts, long delay, Store store) throws Exception {
        onEvent(type, ts, delay, Long.MIN_VALUE, store);
    }

    /**
     * Records an event whose changes take effect no earlier than {@code notBefore}: a late event,
     * applied from the first query not yet answered (see {@link FeatureGroup#contributions(
     * EventType, long, long, long, FeatureGroup.DeltaSink)}). {@code Long.MIN_VALUE} for an event
     * on time. The engine's clock must not have passed {@code notBefore}.
     */
    public void onEvent(EventType type, long ts, long delay, long notBefore, Store store)
            throws Exception {
        if (!group.consumes(type)) {
            return;
        }
        // Features with equal windows change at the same instants: merge locally so each instant
        // costs one state read and one write.
        Map<Long, WindowAggregates> changes = new LinkedHashMap<>(4);
        group.contributions(
                type,
                ts,
                delay,
                notBefore,
                (at, slot, count, sum) ->
                        changes.computeIfAbsent(at, k -> new WindowAggregates(group.size()))
                                .add(slot, count, sum));
        for (Map.Entry<Long, WindowAggregates> change : changes.entrySet()) {
            long at = change.getKey();
            WindowAggregates pending = store.pendingAt(at);
            if (pending == null) {
                pending = change.getValue();
            } else {
                pending.apply(change.getValue());
            }
            store.putPending(at, pending);
            store.scheduleAt(at);
        }
    }

    /** Asks for this group's features of flight {@code id}, departing at {@code t}. */
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
     * running aggregates once every window is empty, so a key's state returns to zero after its
     * last window expires.
     */
    public void advanceTo(long t, Store store, Answers answers) throws Exception {
        WindowAggregates running = store.running();
        WindowAggregates pending = store.pendingAt(t);
        if (pending != null) {
            if (running == null) {
                running = pending;
            } else {
                running.apply(pending);
            }
            store.removePending(t);
        }
        long[] ids = store.queriesAt(t);
        if (ids != null) {
            double[] values = new double[windowFeatureCount];
            Arrays.fill(values, Double.NaN);
            group.values(
                    running == null ? null : running.counts,
                    running == null ? null : running.sums,
                    values);
            for (long id : ids) {
                answers.answer(id, t, values);
            }
            store.removeQueries(t);
        }
        if (running == null || running.isEmpty()) {
            store.clearRunning();
        } else if (pending != null) {
            store.putRunning(running);
        }
    }

    /** Keyed state for one key of one group. */
    public interface Store {
        WindowAggregates pendingAt(long t) throws Exception;

        void putPending(long t, WindowAggregates changes) throws Exception;

        void removePending(long t) throws Exception;

        long[] queriesAt(long t) throws Exception;

        void putQueries(long t, long[] ids) throws Exception;

        void removeQueries(long t) throws Exception;

        WindowAggregates running() throws Exception;

        void putRunning(WindowAggregates running) throws Exception;

        void clearRunning() throws Exception;

        /** Asks the engine to call {@link #advanceTo} at {@code t}; idempotent. */
        void scheduleAt(long t) throws Exception;
    }

    /**
     * Receives the values of one query. {@code values} spans the whole feature set with this
     * group's positions filled and the rest NaN; it is shared between the queries of one call, so
     * copy it to keep it.
     */
    @FunctionalInterface
    public interface Answers {
        void answer(long id, long t, double[] values) throws Exception;
    }
}
