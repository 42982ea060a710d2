package dev.parity.features.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The non-null values in a window with their multiplicities ({@code min}, {@code max}, {@code
 * count_distinct}), or the net change a pending change makes to them (negative multiplicities
 * allowed). Unlike a running minimum, a multiset can retract: when the minimum leaves the window
 * the next one is still there.
 *
 * <p>A {@link TreeMap} from value to multiplicity, in the values' natural order, with no zero
 * entries. Costs, for {@code d} distinct values in the window: {@code O(log d)} per event, {@code
 * O(1)} distinct count, {@code O(log d)} min and max; on the heap about 40 bytes of map entry per
 * distinct value plus the boxed value (multiplicities up to 127 are cached Longs). Serialized: the
 * format byte, the value type's code byte, a varint entry count, then per entry the value (long and
 * timestamp: zig-zag varint; double: 8 bytes; boolean: 1; string: varint length and 1 to 3 bytes a
 * char) and its zig-zag varint multiplicity (1 byte up to 63).
 *
 * <pre>{@code
 * ValueMultiset values = new ValueMultiset(ValueType.LONG);
 * values.add(7L, +1);
 * values.add(3L, +1);
 * values.add(3L, -1);
 * values.min();   // 7
 * }</pre>
 */
public final class ValueMultiset implements AggState<ValueMultiset> {
    static final int FORMAT = 0x41;

    private final ValueType type;
    private final TreeMap<Object, Long> counts = new TreeMap<>(ValueType::compare);

    public ValueMultiset(ValueType type) {
        this.type = type;
    }

    public ValueType type() {
        return type;
    }

    /** Adds {@code multiplicity} (negative to remove) occurrences of the non-null {@code value}. */
    public void add(Object value, long multiplicity) {
        counts.merge(value, multiplicity, ValueMultiset::sumOrNull);
    }

    private static Long sumOrNull(Long a, Long b) {
        long s = a + b;
        return s == 0 ? null : s;
    }

    /** Number of distinct values (in a running aggregate, where every multiplicity is positive). */
    public long distinct() {
        return counts.size();
    }

    /** The least value, or null when empty. */
    public Object min() {
        return counts.isEmpty() ? null : counts.firstKey();
    }

    /** The greatest value, or null when empty. */
    public Object max() {
        return counts.isEmpty() ? null : counts.lastKey();
    }

    /** The multiplicity of {@code value}, 0 when absent. */
    public long multiplicity(Object value) {
        Long m = counts.get(value);
        return m == null ? 0 : m;
    }

    @Override
    public void apply(ValueMultiset change) {
        requireSameType(change);
        for (Map.Entry<Object, Long> e : change.counts.entrySet()) {
            counts.merge(e.getKey(), e.getValue(), ValueMultiset::sumOrNull);
        }
    }

    @Override
    public void applyToRunning(ValueMultiset change, String aggregation) {
        requireSameType(change);
        for (Map.Entry<Object, Long> e : change.counts.entrySet()) {
            Long m = counts.merge(e.getKey(), e.getValue(), ValueMultiset::sumOrNull);
            if (m != null && m < 0) {
                throw new IllegalStateException(
                        aggregation
                                + ": value "
                                + ValueType.describe(e.getKey())
                                + " left the window more often than it entered it (multiplicity "
                                + m
                                + ")");
            }
        }
    }

    private void requireSameType(ValueMultiset change) {
        if (change.type != type) {
            throw new IllegalArgumentException(
                    "cannot apply a multiset of " + change.type + " values to one of " + type);
        }
    }

    @Override
    public boolean isEmpty() {
        return counts.isEmpty();
    }

    @Override
    public ValueMultiset copy() {
        // values are immutable, so sharing them is a deep copy
        ValueMultiset c = new ValueMultiset(type);
        c.counts.putAll(counts);
        return c;
    }

    @Override
    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        type.writeCode(out);
        Varints.writeUnsigned(out, counts.size());
        for (Map.Entry<Object, Long> e : counts.entrySet()) {
            type.write(out, e.getKey());
            Varints.writeSigned(out, e.getValue());
        }
    }

    /** Reads a multiset that {@link #write} wrote for values of {@code type}. */
    public static ValueMultiset read(DataInput in, ValueType type) throws IOException {
        Varints.readFormat(in, FORMAT, "ValueMultiset");
        type.readCode(in, "ValueMultiset");
        ValueMultiset s = new ValueMultiset(type);
        int n = Varints.readSize(in, "multiset");
        for (int i = 0; i < n; i++) {
            Object value = type.read(in);
            long m = Varints.readSigned(in);
            if (m == 0 || s.counts.put(value, m) != null) {
                throw new IOException("corrupt multiset entry " + ValueType.describe(value));
            }
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueMultiset
                && ((ValueMultiset) o).type == type
                && ((ValueMultiset) o).counts.equals(counts);
    }

    @Override
    public int hashCode() {
        return counts.hashCode();
    }

    @Override
    public String toString() {
        return "ValueMultiset{" + type + " " + counts + "}";
    }
}
