package dev.parity.features.engine;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Field values on the wire and in state: a tag byte, then the value. Doubles keep their raw bits
 * (every NaN payload, {@code -0.0}), so a value read back is the value written, bit for bit.
 */
final class Values {
    private static final byte NULL = 0;
    private static final byte STRING = 1;
    private static final byte LONG = 2;
    private static final byte DOUBLE = 3;
    private static final byte FALSE = 4;
    private static final byte TRUE = 5;

    private Values() {}

    static void write(Object v, DataOutputView out) throws IOException {
        if (v == null) {
            out.writeByte(NULL);
        } else if (v instanceof String) {
            out.writeByte(STRING);
            StringValue.writeString((String) v, out);
        } else if (v instanceof Long) {
            out.writeByte(LONG);
            out.writeLong((Long) v);
        } else if (v instanceof Double) {
            out.writeByte(DOUBLE);
            out.writeLong(Double.doubleToRawLongBits((Double) v));
        } else if (v instanceof Boolean) {
            out.writeByte((Boolean) v ? TRUE : FALSE);
        } else {
            throw new IllegalArgumentException(
                    "not a field value: " + v.getClass().getName() + " " + v);
        }
    }

    static Object read(DataInputView in) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case NULL:
                return null;
            case STRING:
                return StringValue.readString(in);
            case LONG:
                return in.readLong();
            case DOUBLE:
                return Double.longBitsToDouble(in.readLong());
            case FALSE:
                return Boolean.FALSE;
            case TRUE:
                return Boolean.TRUE;
            default:
                throw new IOException("corrupt record: unknown value tag " + tag);
        }
    }

    static void writeAll(Object[] values, DataOutputView out) throws IOException {
        out.writeInt(values.length);
        for (Object v : values) {
            write(v, out);
        }
    }

    static Object[] readAll(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt record: " + n + " values");
        }
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            values[i] = read(in);
        }
        return values;
    }
}
