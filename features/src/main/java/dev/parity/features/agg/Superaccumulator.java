package dev.parity.features.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * An exact sum of finite doubles, with exact subtraction: a two's-complement fixed-point integer
 * whose bit 0 weighs 2^-1074, the smallest subnormal, so every finite double is an integer in it.
 * Sums are exact however many values enter and leave, so the double {@link #toDouble} rounds to
 * depends only on the multiset of values, never on their order.
 *
 * <p>The integer is kept in 32-bit digits, only over the range of bits in use ({@code offset} is
 * the position of {@code digits[0]}), in a canonical form: lower digits in {@code [0, 2^32)}, the
 * top digit signed in {@code [-2^31, 2^31)}, no redundant top digit, no zero bottom digit. Equal
 * sums therefore have equal digits and equal serialized bytes. Amounts of money in doubles use 3 to
 * 5 digits; the full range (1e-300 next to 1e300) needs up to 68.
 */
final class Superaccumulator {
    private static final long MASK = 0xFFFF_FFFFL;
    private static final long FRACTION_MASK = (1L << 52) - 1;
    private static final long EXPONENT_MASK = 0x7FF0_0000_0000_0000L;
    private static final long[] NONE = new long[0];

    /**
     * Digits any sum can need: below 2^63 values of magnitude below 2^1024 is below 2^2161 units of
     * 2^-1074, plus a sign bit.
     */
    static final int MAX_DIGITS = 68;

    private long[] digits = NONE;
    private int offset;
    private int size;

    boolean isZero() {
        return size == 0;
    }

    /** Adds {@code sign} (+1 or -1) times the finite double {@code x}. */
    void add(double x, int sign) {
        long bits = Double.doubleToRawLongBits(x);
        int biased = (int) (bits >>> 52) & 0x7FF;
        if (biased == 0x7FF) {
            throw new IllegalArgumentException("not a finite double: " + x);
        }
        long m = bits & FRACTION_MASK;
        if (biased != 0) {
            m |= 1L << 52;
        } else if (m == 0) {
            return;
        }
        // x = m * 2^(s - 1074); subnormals share the exponent of the smallest normals
        int s = biased == 0 ? 0 : biased - 1;
        int k = s >>> 5;
        int r = s & 31;
        long low = m << r;
        long c0 = low & MASK;
        long c1 = low >>> 32;
        long c2 = r == 0 ? 0 : m >>> (64 - r);
        ensureRange(k, k + 3);
        int i = k - offset;
        if ((bits < 0) == (sign < 0)) {
            digits[i] += c0;
            digits[i + 1] += c1;
            digits[i + 2] += c2;
        } else {
            digits[i] -= c0;
            digits[i + 1] -= c1;
            digits[i + 2] -= c2;
        }
        normalize();
    }

    /** Adds {@code sign} (+1 or -1) times {@code other}. */
    void add(Superaccumulator other, int sign) {
        if (other.size == 0) {
            return;
        }
        int n = other.size;
        ensureRange(other.offset, other.offset + n);
        int base = other.offset - offset;
        long[] src = other.digits;
        for (int i = 0; i < n; i++) {
            digits[base + i] += sign < 0 ? -src[i] : src[i];
        }
        normalize();
    }

    /** The double nearest to the sum, ties to even; infinite when beyond the double range. */
    double toDouble() {
        if (size == 0) {
            return 0.0;
        }
        boolean negative = digits[size - 1] < 0;
        long[] mag = digits;
        int n = size;
        if (negative) {
            mag = new long[size];
            long carry = 0;
            for (int i = 0; i < size; i++) {
                long v = carry - digits[i];
                mag[i] = v & MASK;
                carry = v >> 32;
            }
        }
        int h = n - 1;
        while (mag[h] == 0) {
            h--;
        }
        long bitLength = 32L * (offset + h) + (64 - Long.numberOfLeadingZeros(mag[h]));
        long shift = Math.max(bitLength - 53, 0);
        long top = window(mag, n, shift) & ((1L << 53) - 1);
        boolean half = shift > 0 && (window(mag, n, shift - 1) & 1) != 0;
        boolean sticky = shift > 1 && anyBitBelow(mag, n, shift - 1);
        return round(negative, top, half, sticky, shift);
    }

    /**
     * The double nearest to {@code ±(top + f) * 2^(shift - 1074)}, where {@code 0 <= f < 1} is
     * described by {@code half} (f >= 1/2) and {@code sticky} (f is not 0 or 1/2): {@code top} is
     * the leading 53 bits of the magnitude (below 2^52 only when {@code shift} is 0, a subnormal).
     * With the magnitude in units of the smallest subnormal the IEEE bit pattern is just {@code top
     * + shift * 2^52}, and a carry out of the fraction moves into the exponent by itself.
     */
    static double round(boolean negative, long top, boolean half, boolean sticky, long shift) {
        if (half && (sticky || (top & 1) != 0)) {
            top++;
        }
        long bits = shift >= 2046 ? EXPONENT_MASK : Math.min(top + (shift << 52), EXPONENT_MASK);
        return Double.longBitsToDouble(negative ? bits | Long.MIN_VALUE : bits);
    }

    /** Bits {@code [pos, pos + 64)} of the magnitude {@code mag} (laid out like digits). */
    private long window(long[] mag, int n, long pos) {
        long g = pos >>> 5;
        int r = (int) (pos & 31);
        long w = digitAt(mag, n, g) | (digitAt(mag, n, g + 1) << 32);
        return r == 0 ? w : (w >>> r) | (digitAt(mag, n, g + 2) << (64 - r));
    }

    private boolean anyBitBelow(long[] mag, int n, long pos) {
        long g = pos >>> 5;
        for (int j = 0; j < n && offset + j < g; j++) {
            if (mag[j] != 0) {
                return true;
            }
        }
        return (digitAt(mag, n, g) & ((1L << (pos & 31)) - 1)) != 0;
    }

    private long digitAt(long[] mag, int n, long global) {
        long j = global - offset;
        return j < 0 || j >= n ? 0 : mag[(int) j];
    }

    /** Makes digits cover positions {@code [lo, hi)}; new digits are 0, the value unchanged. */
    private void ensureRange(int lo, int hi) {
        if (size == 0) {
            if (digits.length < hi - lo) {
                digits = new long[hi - lo + 1];
            }
            offset = lo;
            size = hi - lo;
            Arrays.fill(digits, 0, size, 0L);
            return;
        }
        int newLo = Math.min(offset, lo);
        int newSize = Math.max(offset + size, hi) - newLo;
        int shift = offset - newLo;
        if (newSize > digits.length) {
            long[] d = new long[newSize + 2];
            System.arraycopy(digits, 0, d, shift, size);
            digits = d;
        } else if (shift > 0) {
            System.arraycopy(digits, 0, digits, shift, size);
            Arrays.fill(digits, 0, shift, 0L);
        }
        Arrays.fill(digits, shift + size, newSize, 0L);
        offset = newLo;
        size = newSize;
    }

    /**
     * Restores the canonical form after digits were added to as plain signed longs: the value is
     * always {@code sum(digits[i] * 2^(32 * (offset + i)))}, whatever the digits.
     */
    private void normalize() {
        if (size == 0) {
            return;
        }
        long carry = 0;
        for (int i = 0; i < size - 1; i++) {
            long v = digits[i] + carry;
            digits[i] = v & MASK;
            carry = v >> 32;
        }
        long top = digits[size - 1] + carry;
        while (top != (int) top) {
            if (size == digits.length) {
                digits = Arrays.copyOf(digits, size + 2);
            }
            digits[size - 1] = top & MASK;
            top >>= 32;
            size++;
        }
        digits[size - 1] = top;
        while (size > 1) {
            long t = digits[size - 1];
            long below = digits[size - 2];
            if ((t == 0 && below <= Integer.MAX_VALUE) || (t == -1 && below > Integer.MAX_VALUE)) {
                digits[size - 2] = (int) below;
                size--;
            } else {
                break;
            }
        }
        if (size == 1 && digits[0] == 0) {
            size = 0;
        }
        int zeros = 0;
        while (zeros < size && digits[zeros] == 0) {
            zeros++;
        }
        if (zeros > 0) {
            System.arraycopy(digits, zeros, digits, 0, size - zeros);
            size -= zeros;
            offset += zeros;
        }
        if (size == 0) {
            offset = 0;
        }
    }

    Superaccumulator copy() {
        Superaccumulator c = new Superaccumulator();
        c.digits = size == 0 ? NONE : Arrays.copyOf(digits, size);
        c.offset = offset;
        c.size = size;
        return c;
    }

    /** Digits in use: the serialized form costs 4 bytes each. */
    int digitCount() {
        return size;
    }

    /** Varint digit count, then (unless 0) varint offset and each digit as 4 bytes. */
    void write(DataOutput out) throws IOException {
        Varints.writeUnsigned(out, size);
        if (size == 0) {
            return;
        }
        Varints.writeUnsigned(out, offset);
        for (int i = 0; i < size; i++) {
            out.writeInt((int) digits[i]);
        }
    }

    static Superaccumulator read(DataInput in) throws IOException {
        Superaccumulator s = new Superaccumulator();
        int n = Varints.readSize(in, "exact sum");
        if (n == 0) {
            return s;
        }
        long offset = Varints.readUnsigned(in);
        if (n > MAX_DIGITS || offset < 0 || offset + n > MAX_DIGITS) {
            throw new IOException("corrupt exact sum: " + n + " digits from " + offset);
        }
        s.digits = new long[n];
        for (int i = 0; i < n - 1; i++) {
            s.digits[i] = in.readInt() & MASK;
        }
        s.digits[n - 1] = in.readInt();
        s.offset = (int) offset;
        s.size = n;
        s.normalize();
        return s;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Superaccumulator)) {
            return false;
        }
        Superaccumulator a = (Superaccumulator) o;
        return size == a.size
                && offset == a.offset
                && Arrays.equals(digits, 0, size, a.digits, 0, a.size);
    }

    @Override
    public int hashCode() {
        int h = offset;
        for (int i = 0; i < size; i++) {
            h = 31 * h + Long.hashCode(digits[i]);
        }
        return h;
    }

    @Override
    public String toString() {
        return size == 0 ? "0" : Double.toString(toDouble());
    }
}
