package dev.parity.features.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The exact sum and the number of the non-null long values in a window ({@code sum}, {@code mean}),
 * or the net change a pending change makes to them.
 *
 * <p>The sum is a 128-bit two's-complement integer in two longs, exact for any 2^64 values, so it
 * never wraps where a {@code long} would. {@link #sum()} is the double nearest to it (ties to
 * even), which for a sum that fits in a long is exactly {@code (double) sum}, Java's conversion:
 * the current engine's flight means, {@code (double) sum / count}, come out byte for byte the same.
 * Beyond 2^53 that conversion rounds before the division, so a mean is then not always the double
 * nearest to the true mean; that is the price of the compatibility, and the same in every engine.
 *
 * <p>Serialized size: the format byte and three varints (count; high part, 1 byte when the sum fits
 * in a long; low part zig-zag): 4 to 6 bytes for everyday sums, at most 31.
 *
 * <pre>{@code
 * LongSumState s = new LongSumState();
 * s.add(Long.MAX_VALUE, +1);
 * s.add(Long.MAX_VALUE, +1);
 * s.sum();   // 1.8446744073709552E19, no overflow
 * }</pre>
 */
public final class LongSumState implements AggState<LongSumState> {
    static final int FORMAT = 0x21;

    private long count;
    private long high;
    private long low;

    public LongSumState() {}

    /** Adds ({@code sign} +1) or removes ({@code sign} -1) one non-null value. */
    public void add(long value, int sign) {
        count += sign;
        // 128-bit add or subtract of the sign-extended value
        if (sign > 0) {
            long s = low + value;
            high += (value >> 63) + (Long.compareUnsigned(s, low) < 0 ? 1 : 0);
            low = s;
        } else {
            long s = low - value;
            high -= (value >> 63) + (Long.compareUnsigned(low, value) < 0 ? 1 : 0);
            low = s;
        }
    }

    /** Number of non-null values. */
    public long count() {
        return count;
    }

    /** Whether the exact sum fits in a long, and so {@link #exactSum()} is it. */
    public boolean fitsInLong() {
        return high == (low >> 63);
    }

    /**
     * The exact sum, when {@link #fitsInLong()}.
     *
     * @throws ArithmeticException when it does not fit
     */
    public long exactSum() {
        if (!fitsInLong()) {
            throw new ArithmeticException("sum beyond the long range: " + sum());
        }
        return low;
    }

    /** The double nearest to the exact sum. */
    public double sum() {
        if (fitsInLong()) {
            return (double) low;
        }
        boolean negative = high < 0;
        long hi = high;
        long lo = low;
        if (negative) {
            lo = -low;
            hi = ~high + (low == 0 ? 1 : 0);
        }
        // at least 64 significant bits here, so hi:lo >>> shift below is the top 53 of them
        int bitLength = hi != 0 ? 128 - Long.numberOfLeadingZeros(hi) : 64;
        int shift = bitLength - 53;
        long top = shift >= 64 ? hi >>> (shift - 64) : (hi << (64 - shift)) | (lo >>> shift);
        top &= (1L << 53) - 1;
        boolean half = bit(hi, lo, shift - 1);
        int below = shift - 1;
        boolean sticky =
                below >= 64
                        ? lo != 0 || (hi & ((1L << (below - 64)) - 1)) != 0
                        : (lo & ((1L << below) - 1)) != 0;
        return Superaccumulator.round(negative, top, half, sticky, shift + 1074L);
    }

    private static boolean bit(long hi, long lo, int index) {
        return ((index >= 64 ? hi >>> (index - 64) : lo >>> index) & 1) != 0;
    }

    @Override
    public void apply(LongSumState change) {
        count += change.count;
        long s = low + change.low;
        high += change.high + (Long.compareUnsigned(s, low) < 0 ? 1 : 0);
        low = s;
    }

    @Override
    public void applyToRunning(LongSumState change, String aggregation) {
        apply(change);
        if (count < 0 || (count == 0 && (high != 0 || low != 0))) {
            throw new IllegalStateException(
                    aggregation
                            + ": values left the window that never entered it (now "
                            + this
                            + ")");
        }
    }

    @Override
    public boolean isEmpty() {
        return count == 0 && high == 0 && low == 0;
    }

    @Override
    public LongSumState copy() {
        LongSumState c = new LongSumState();
        c.count = count;
        c.high = high;
        c.low = low;
        return c;
    }

    @Override
    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        Varints.writeSigned(out, count);
        // the high part minus the low part's sign extension: 0 whenever the sum fits in a long
        Varints.writeSigned(out, high - (low >> 63));
        Varints.writeSigned(out, low);
    }

    public static LongSumState read(DataInput in) throws IOException {
        Varints.readFormat(in, FORMAT, "LongSumState");
        LongSumState s = new LongSumState();
        s.count = Varints.readSigned(in);
        long extra = Varints.readSigned(in);
        s.low = Varints.readSigned(in);
        s.high = extra + (s.low >> 63);
        return s;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LongSumState)) {
            return false;
        }
        LongSumState s = (LongSumState) o;
        return count == s.count && high == s.high && low == s.low;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count) * 31 * 31 + Long.hashCode(high) * 31 + Long.hashCode(low);
    }

    @Override
    public String toString() {
        return "LongSumState{count="
                + count
                + ", sum="
                + (fitsInLong() ? Long.toString(low) : sum() + " (beyond long)")
                + "}";
    }
}
