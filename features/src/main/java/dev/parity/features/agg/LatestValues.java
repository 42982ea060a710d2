package dev.parity.features.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The events in a window with a non-null value, keyed by (time, id, value) ({@code last}), or the
 * net change a pending change makes to them (negative multiplicities allowed). The last value is
 * the one at the greatest key: the latest time, ties to the greatest id, and (only when ids are not
 * unique, which a spec forbids) to the greatest value, so the result is deterministic either way.
 *
 * <p>Keeping every event, not just the latest, is what lets the latest one leave the window and the
 * one before it take over. Costs, for {@code e} events in the window: {@code O(log e)} per event
 * and per query; on the heap about 72 bytes per event (map entry and key) plus the boxed value.
 * Serialized: the format byte, the value type's code byte, a varint entry count, then per entry in
 * key order the time (the first zig-zag, then the varint distance to the previous one), the id
 * (zig-zag varint), the value (as in {@link ValueMultiset}) and the zig-zag varint multiplicity:
 * about 5 to 20 bytes an event.
 *
 * <pre>{@code
 * LatestValues last = new LatestValues(ValueType.STRING);
 * last.add(1_000L, 7L, "gold", +1);
 * last.add(1_000L, 9L, "silver", +1);
 * last.last();   // "silver": same time, greater id
 * }</pre>
 */
public final class LatestValues implements AggState<LatestValues> {
    static final int FORMAT = 0x51;

    private final ValueType type;
    private final TreeMap<Stamp, Long> events = new TreeMap<>();

    public LatestValues(ValueType type) {
        this.type = type;
    }

    public ValueType type() {
        return type;
    }

    /** Adds {@code multiplicity} (negative to remove) of the event {@code (time, id, value)}. */
    public void add(long time, long id, Object value, long multiplicity) {
        events.merge(new Stamp(time, id, value), multiplicity, LatestValues::sumOrNull);
    }

    private static Long sumOrNull(Long a, Long b) {
        long s = a + b;
        return s == 0 ? null : s;
    }

    /** The value of the latest event, or null when empty. */
    public Object last() {
        return events.isEmpty() ? null : events.lastKey().value;
    }

    /** Number of distinct (time, id, value) entries. */
    public int size() {
        return events.size();
    }

    @Override
    public void apply(LatestValues change) {
        requireSameType(change);
        for (Map.Entry<Stamp, Long> e : change.events.entrySet()) {
            events.merge(e.getKey(), e.getValue(), LatestValues::sumOrNull);
        }
    }

    @Override
    public void applyToRunning(LatestValues change, String aggregation) {
        requireSameType(change);
        for (Map.Entry<Stamp, Long> e : change.events.entrySet()) {
            Long m = events.merge(e.getKey(), e.getValue(), LatestValues::sumOrNull);
            if (m != null && m < 0) {
                throw new IllegalStateException(
                        aggregation
                                + ": event "
                                + e.getKey()
                                + " left the window more often than it entered it (multiplicity "
                                + m
                                + ")");
            }
        }
    }

    private void requireSameType(LatestValues change) {
        if (change.type != type) {
            throw new IllegalArgumentException(
                    "cannot apply latest " + change.type + " values to latest " + type + " values");
        }
    }

    @Override
    public boolean isEmpty() {
        return events.isEmpty();
    }

    @Override
    public LatestValues copy() {
        // keys are immutable, so sharing them is a deep copy
        LatestValues c = new LatestValues(type);
        c.events.putAll(events);
        return c;
    }

    @Override
    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        type.writeCode(out);
        Varints.writeUnsigned(out, events.size());
        boolean first = true;
        long previous = 0;
        for (Map.Entry<Stamp, Long> e : events.entrySet()) {
            Stamp k = e.getKey();
            if (first) {
                Varints.writeSigned(out, k.time);
                first = false;
            } else {
                // keys are sorted by time, so the distance is never negative (as unsigned)
                Varints.writeUnsigned(out, k.time - previous);
            }
            previous = k.time;
            Varints.writeSigned(out, k.id);
            type.write(out, k.value);
            Varints.writeSigned(out, e.getValue());
        }
    }

    /** Reads a state that {@link #write} wrote for values of {@code type}. */
    public static LatestValues read(DataInput in, ValueType type) throws IOException {
        Varints.readFormat(in, FORMAT, "LatestValues");
        type.readCode(in, "LatestValues");
        LatestValues s = new LatestValues(type);
        int n = Varints.readSize(in, "latest values");
        long time = 0;
        for (int i = 0; i < n; i++) {
            time = i == 0 ? Varints.readSigned(in) : time + Varints.readUnsigned(in);
            long id = Varints.readSigned(in);
            Object value = type.read(in);
            long m = Varints.readSigned(in);
            Stamp key = new Stamp(time, id, value);
            if (m == 0 || s.events.put(key, m) != null) {
                throw new IOException("corrupt latest-values entry " + key);
            }
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatestValues
                && ((LatestValues) o).type == type
                && ((LatestValues) o).events.equals(events);
    }

    @Override
    public int hashCode() {
        return events.hashCode();
    }

    @Override
    public String toString() {
        return "LatestValues{" + type + " " + events + "}";
    }

    /** An event's place in the order {@code last} picks from. */
    private static final class Stamp implements Comparable<Stamp> {
        final long time;
        final long id;
        final Object value;

        Stamp(long time, long id, Object value) {
            this.time = time;
            this.id = id;
            this.value = value;
        }

        @Override
        public int compareTo(Stamp o) {
            int c = Long.compare(time, o.time);
            if (c == 0) {
                c = Long.compare(id, o.id);
            }
            return c != 0 ? c : ValueType.compare(value, o.value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Stamp && compareTo((Stamp) o) == 0;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(time) * 31 + Long.hashCode(id) * 17 + value.hashCode();
        }

        @Override
        public String toString() {
            return "(time " + time + ", id " + id + ", " + ValueType.describe(value) + ")";
        }
    }
}
