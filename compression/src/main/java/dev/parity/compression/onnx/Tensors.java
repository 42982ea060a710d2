package dev.parity.compression.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reading and writing ONNX initializers. Everything written uses {@code raw_data} (little-endian,
 * as the ONNX spec requires), the most compact encoding; reading accepts both {@code raw_data} and
 * the typed repeated fields that some exporters use.
 */
public final class Tensors {
    private Tensors() {}

    /** Number of elements of a tensor (1 for a scalar). */
    public static long numel(OnnxMl.TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n *= d;
        }
        return n;
    }

    public static long[] dims(OnnxMl.TensorProto t) {
        long[] d = new long[t.getDimsCount()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.getDims(i);
        }
        return d;
    }

    public static boolean isFloat(OnnxMl.TensorProto t) {
        return t.getDataType() == DataType.FLOAT.getNumber();
    }

    /** The values of an int64 tensor (a shape, an axis list). */
    public static long[] longs(OnnxMl.TensorProto t) {
        if (t.getDataType() != DataType.INT64.getNumber()) {
            throw new IllegalArgumentException(
                    "tensor '" + t.getName() + "' is not int64 (type " + t.getDataType() + ")");
        }
        int n = Math.toIntExact(numel(t));
        long[] out = new long[n];
        if (!t.getRawData().isEmpty()) {
            t.getRawData()
                    .asReadOnlyByteBuffer()
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asLongBuffer()
                    .get(out);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = t.getInt64Data(i);
            }
        }
        return out;
    }

    /** The values of a float32 tensor. */
    public static float[] floats(OnnxMl.TensorProto t) {
        if (!isFloat(t)) {
            throw new IllegalArgumentException(
                    "tensor '" + t.getName() + "' is not float32 (type " + t.getDataType() + ")");
        }
        long n = numel(t);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + t.getName() + "' is too large");
        }
        float[] out = new float[(int) n];
        if (!t.getRawData().isEmpty()) {
            if (t.getRawData().size() != n * Float.BYTES) {
                throw new IllegalArgumentException(
                        "tensor '"
                                + t.getName()
                                + "' has "
                                + t.getRawData().size()
                                + " bytes of raw data for "
                                + n
                                + " floats");
            }
            t.getRawData()
                    .asReadOnlyByteBuffer()
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(out);
        } else {
            if (t.getFloatDataCount() != n) {
                throw new IllegalArgumentException(
                        "tensor '"
                                + t.getName()
                                + "' has "
                                + t.getFloatDataCount()
                                + " floats for shape of "
                                + n);
            }
            for (int i = 0; i < n; i++) {
                out[i] = t.getFloatData(i);
            }
        }
        return out;
    }

    public static OnnxMl.TensorProto floats(String name, long[] dims, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return tensor(name, DataType.FLOAT, dims, b.array());
    }

    /** A float16 tensor holding {@code v} rounded to nearest even. */
    public static OnnxMl.TensorProto halves(String name, long[] dims, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putShort(Half.fromFloat(x));
        }
        return tensor(name, DataType.FLOAT16, dims, b.array());
    }

    public static OnnxMl.TensorProto int8(String name, long[] dims, byte[] v) {
        return tensor(name, DataType.INT8, dims, v.clone());
    }

    public static OnnxMl.TensorProto uint8(String name, long[] dims, byte[] v) {
        return tensor(name, DataType.UINT8, dims, v.clone());
    }

    public static OnnxMl.TensorProto int32(String name, long[] dims, int[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(v);
        return tensor(name, DataType.INT32, dims, b.array());
    }

    public static OnnxMl.TensorProto int64(String name, long[] dims, long[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(v);
        return tensor(name, DataType.INT64, dims, b.array());
    }

    private static OnnxMl.TensorProto tensor(String name, DataType type, long[] dims, byte[] raw) {
        OnnxMl.TensorProto.Builder t =
                OnnxMl.TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        return t.setRawData(ByteString.copyFrom(raw)).build();
    }

    /** IEEE 754 binary16 conversion (Java 17 has no {@code Float.floatToFloat16}). */
    public static final class Half {
        private Half() {}

        /** Rounds to the nearest float16, ties to even; overflow becomes infinity. */
        public static short fromFloat(float f) {
            int bits = Float.floatToRawIntBits(f);
            int sign = (bits >>> 16) & 0x8000;
            int exp = (bits >>> 23) & 0xff;
            int mant = bits & 0x7fffff;
            if (exp == 0xff) { // inf or NaN
                return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
            }
            int e = exp - 127 + 15;
            if (e >= 0x1f) {
                return (short) (sign | 0x7c00);
            }
            if (e <= 0) { // subnormal or zero in half
                if (e < -10) {
                    return (short) sign;
                }
                int m = mant | 0x800000; // implicit leading 1
                int shift = 14 - e; // 24-bit significand down to (10 + e) bits
                int half = m >>> shift;
                int rem = m & ((1 << shift) - 1);
                int mid = 1 << (shift - 1);
                if (rem > mid || (rem == mid && (half & 1) != 0)) {
                    half++;
                }
                return (short) (sign | half);
            }
            int half = (e << 10) | (mant >>> 13);
            int rem = mant & 0x1fff;
            if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
                half++; // may carry into the exponent, up to infinity: correct rounding
            }
            return (short) (sign | half);
        }

        public static float toFloat(short h) {
            int sign = (h & 0x8000) << 16;
            int exp = (h >>> 10) & 0x1f;
            int mant = h & 0x3ff;
            if (exp == 0x1f) {
                return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
            }
            if (exp == 0) {
                float v = mant * 0x1p-24f;
                return sign != 0 ? -v : v;
            }
            return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
        }
    }
}
