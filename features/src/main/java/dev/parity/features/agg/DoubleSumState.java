package dev.parity.features.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * The exact sum and the number of the non-null double values in a window ({@code sum}, {@code
 * mean}), or the net change a pending change makes to them.
 *
 * <p>Finite values go into a {@link Superaccumulator}, so the sum is exact and order-independent
 * and {@link #sum()} is the double nearest to it (ties to even; beyond the double range, an
 * infinity). An exact sum of 0 is {@code +0.0}, also when every value was {@code -0.0}. Non-finite
 * values are counted apart, which keeps their removal exact: any NaN, or both infinities, make the
 * sum NaN; otherwise an infinity present wins. That is what floating-point addition gives in every
 * order, without its dependence on order for the finite part.
 *
 * <p>Serialized size: the format byte, four zig-zag varints (count, NaNs, +∞, -∞; usually 1 byte
 * each) and the accumulator's varint digit count, varint offset and 4 bytes per digit: about 12 to
 * 30 bytes for everyday values, at most 315.
 *
 * <pre>{@code
 * DoubleSumState s = new DoubleSumState();
 * s.add(1e300, +1);
 * s.add(1e-300, +1);
 * s.add(1e300, -1);
 * s.sum();   // 1e-300, exactly
 * }</pre>
 */
public final class DoubleSumState implements AggState<DoubleSumState> {
    static final int FORMAT = 0x31;

    private long count;
    private long nans;
    private long positiveInfinities;
    private long negativeInfinities;
    private final Superaccumulator finite;

    public DoubleSumState() {
        this(new Superaccumulator());
    }

    private DoubleSumState(Superaccumulator finite) {
        this.finite = finite;
    }

    /** Adds ({@code sign} +1) or removes ({@code sign} -1) one non-null value. */
    public void add(double value, int sign) {
        count += sign;
        if (Double.isNaN(value)) {
            nans += sign;
        } else if (value == Double.POSITIVE_INFINITY) {
            positiveInfinities += sign;
        } else if (value == Double.NEGATIVE_INFINITY) {
            negativeInfinities += sign;
        } else {
            finite.add(value, sign);
        }
    }

    /** Number of non-null values, NaN and infinities included. */
    public long count() {
        return count;
    }

    /** The double nearest to the exact sum (see the class comment for NaN and infinities). */
    public double sum() {
        if (nans != 0 || (positiveInfinities != 0 && negativeInfinities != 0)) {
            return Double.NaN;
        }
        if (positiveInfinities != 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (negativeInfinities != 0) {
            return Double.NEGATIVE_INFINITY;
        }
        return finite.toDouble();
    }

    @Override
    public void apply(DoubleSumState change) {
        count += change.count;
        nans += change.nans;
        positiveInfinities += change.positiveInfinities;
        negativeInfinities += change.negativeInfinities;
        finite.add(change.finite, +1);
    }

    @Override
    public void applyToRunning(DoubleSumState change, String aggregation) {
        apply(change);
        if (count < 0
                || nans < 0
                || positiveInfinities < 0
                || negativeInfinities < 0
                || nans + positiveInfinities + negativeInfinities > count
                || (count == 0 && !finite.isZero())) {
            throw new IllegalStateException(
                    aggregation
                            + ": values left the window that never entered it (now "
                            + this
                            + ")");
        }
    }

    @Override
    public boolean isEmpty() {
        return count == 0
                && nans == 0
                && positiveInfinities == 0
                && negativeInfinities == 0
                && finite.isZero();
    }

    @Override
    public DoubleSumState copy() {
        DoubleSumState c = new DoubleSumState(finite.copy());
        c.count = count;
        c.nans = nans;
        c.positiveInfinities = positiveInfinities;
        c.negativeInfinities = negativeInfinities;
        return c;
    }

    @Override
    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        Varints.writeSigned(out, count);
        Varints.writeSigned(out, nans);
        Varints.writeSigned(out, positiveInfinities);
        Varints.writeSigned(out, negativeInfinities);
        finite.write(out);
    }

    public static DoubleSumState read(DataInput in) throws IOException {
        Varints.readFormat(in, FORMAT, "DoubleSumState");
        long count = Varints.readSigned(in);
        long nans = Varints.readSigned(in);
        long positive = Varints.readSigned(in);
        long negative = Varints.readSigned(in);
        DoubleSumState s = new DoubleSumState(Superaccumulator.read(in));
        s.count = count;
        s.nans = nans;
        s.positiveInfinities = positive;
        s.negativeInfinities = negative;
        return s;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DoubleSumState)) {
            return false;
        }
        DoubleSumState s = (DoubleSumState) o;
        return count == s.count
                && nans == s.nans
                && positiveInfinities == s.positiveInfinities
                && negativeInfinities == s.negativeInfinities
                && finite.equals(s.finite);
    }

    @Override
    public int hashCode() {
        return Objects.hash(count, nans, positiveInfinities, negativeInfinities, finite);
    }

    @Override
    public String toString() {
        return "DoubleSumState{count="
                + count
                + ", finite="
                + finite
                + (nans != 0 ? ", nans=" + nans : "")
                + (positiveInfinities != 0 ? ", +inf=" + positiveInfinities : "")
                + (negativeInfinities != 0 ? ", -inf=" + negativeInfinities : "")
                + "}";
    }
}
