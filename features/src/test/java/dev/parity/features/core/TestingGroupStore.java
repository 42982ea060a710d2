package dev.parity.features.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An in-memory {@link GroupEvaluator.Store} for one key, with copy-in/copy-out semantics like a
 * serialising state backend (so code that mutates a value without putting it back is caught), and a
 * timer queue that records every scheduled instant and advances through them in order.
 */
final class TestingGroupStore implements GroupEvaluator.Store {
    final TreeMap<Long, WindowAggregates> pending = new TreeMap<>();
    final TreeMap<Long, long[]> queries = new TreeMap<>();
    WindowAggregates running;

    /** Instants scheduled and not yet advanced to. */
    final TreeSet<Long> timers = new TreeSet<>();

    /** Every call to {@link #scheduleAt}, in call order. */
    final List<Long> scheduled = new ArrayList<>();

    /** Highest instant advanced to so far. */
    long clock = Long.MIN_VALUE;

    @Override
    public WindowAggregates pendingAt(long t) {
        return copy(pending.get(t));
    }

    @Override
    public void putPending(long t, WindowAggregates changes) {
        pending.put(t, copy(changes));
    }

    @Override
    public void removePending(long t) {
        pending.remove(t);
    }

    @Override
    public long[] queriesAt(long t) {
        long[] ids = queries.get(t);
        return ids == null ? null : ids.clone();
    }

    @Override
    public void putQueries(long t, long[] ids) {
        queries.put(t, ids.clone());
    }

    @Override
    public void removeQueries(long t) {
        queries.remove(t);
    }

    @Override
    public WindowAggregates running() {
        return copy(running);
    }

    @Override
    public void putRunning(WindowAggregates value) {
        running = copy(value);
    }

    @Override
    public void clearRunning() {
        running = null;
    }

    @Override
    public void scheduleAt(long t) {
        if (t <= clock) {
            throw new IllegalStateException(
                    "scheduled "
                            + t
                            + " at or before the clock "
                            + clock
                            + ": it would never fire");
        }
        scheduled.add(t);
        timers.add(t);
    }

    /** Fires every scheduled instant up to and including {@code watermark}, in order. */
    void advanceTo(long watermark, GroupEvaluator evaluator, GroupEvaluator.Answers answers)
            throws Exception {
        while (!timers.isEmpty() && timers.first() <= watermark) {
            long t = timers.pollFirst();
            clock = t;
            evaluator.advanceTo(t, this, answers);
        }
        clock = Math.max(clock, watermark);
    }

    boolean isEmpty() {
        return pending.isEmpty() && queries.isEmpty() && running == null && timers.isEmpty();
    }

    @Override
    public String toString() {
        return "TestingGroupStore{pending="
                + pending
                + ", queries="
                + queries.keySet()
                + ", running="
                + running
                + ", timers="
                + timers
                + "}";
    }

    private static WindowAggregates copy(WindowAggregates a) {
        if (a == null) {
            return null;
        }
        WindowAggregates c = new WindowAggregates();
        c.counts = a.counts.clone();
        c.sums = a.sums.clone();
        return c;
    }

    /** Keeps a copy of every answer by flight id. */
    static final class RecordingAnswers implements GroupEvaluator.Answers {
        final Map<Long, double[]> values = new TreeMap<>();
        final Map<Long, Long> times = new TreeMap<>();

        @Override
        public void answer(long id, long t, double[] v) {
            if (values.put(id, v.clone()) != null) {
                throw new IllegalStateException("flight " + id + " answered twice");
            }
            times.put(id, t);
        }
    }
}
