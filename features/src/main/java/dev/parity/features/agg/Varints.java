package dev.parity.features.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * LEB128 variable-length integers: most counts, multiplicities and times in aggregation states are
 * small, so they cost one or two bytes instead of eight.
 */
final class Varints {
    private Varints() {}

    static void writeUnsigned(DataOutput out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    static long readUnsigned(DataInput in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("malformed varint: longer than 10 bytes");
    }

    /** Zig-zag, so that small negative numbers (removes) stay short too. */
    static void writeSigned(DataOutput out, long v) throws IOException {
        writeUnsigned(out, (v << 1) ^ (v >> 63));
    }

    static long readSigned(DataInput in) throws IOException {
        long u = readUnsigned(in);
        return (u >>> 1) ^ -(u & 1);
    }

    /** A non-negative size that a state can allocate. */
    static int readSize(DataInput in, String what) throws IOException {
        long n = readUnsigned(in);
        if (n < 0 || n > Integer.MAX_VALUE - 8) {
            throw new IOException("corrupt " + what + " size " + Long.toUnsignedString(n));
        }
        return (int) n;
    }

    /** Checks the leading format byte of a serialized state. */
    static void readFormat(DataInput in, int expected, String state) throws IOException {
        int format = in.readUnsignedByte();
        if (format != expected) {
            throw new IOException(
                    String.format(
                            "not a %s in a known format: format byte 0x%02x, expected 0x%02x",
                            state, format, expected));
        }
    }
}
