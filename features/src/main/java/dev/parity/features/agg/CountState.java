package dev.parity.features.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The number of events in a window ({@code count}), or the net number a pending change adds.
 *
 * <p>One {@code long}; serialized as its format byte and a zig-zag varint, 2 bytes for counts
 * within ±63.
 *
 * <pre>{@code
 * CountState running = new CountState();
 * running.add(+1);
 * running.count();   // 1
 * }</pre>
 */
public final class CountState implements AggState<CountState> {
    /** High nibble: the state type; low nibble: its format version. */
    static final int FORMAT = 0x11;

    private long count;

    public CountState() {}

    private CountState(long count) {
        this.count = count;
    }

    public long count() {
        return count;
    }

    /** Adds {@code delta} events: +1 when one enters the window, -1 when it leaves. */
    public void add(long delta) {
        count += delta;
    }

    @Override
    public void apply(CountState change) {
        count += change.count;
    }

    @Override
    public void applyToRunning(CountState change, String aggregation) {
        apply(change);
        if (count < 0) {
            throw new IllegalStateException(
                    aggregation
                            + ": more events left the window than entered it (count "
                            + count
                            + ")");
        }
    }

    @Override
    public boolean isEmpty() {
        return count == 0;
    }

    @Override
    public CountState copy() {
        return new CountState(count);
    }

    @Override
    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        Varints.writeSigned(out, count);
    }

    public static CountState read(DataInput in) throws IOException {
        Varints.readFormat(in, FORMAT, "CountState");
        return new CountState(Varints.readSigned(in));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CountState && ((CountState) o).count == count;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count);
    }

    @Override
    public String toString() {
        return "CountState{" + count + "}";
    }
}
