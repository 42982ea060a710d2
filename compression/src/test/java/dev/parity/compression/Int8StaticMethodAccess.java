package dev.parity.compression;

/** Test access to the package-private calibrator of {@code methods.Int8StaticMethod}. */
final class Int8StaticMethodAccess {
    private Int8StaticMethodAccess() {}

    static float[] range(float[] values, double p) {
        return dev.parity.compression.methods.Int8StaticMethod.range(values, p);
    }

    static float[] scaleAndZeroPoint(float lo, float hi, boolean exactLo) {
        return dev.parity.compression.methods.Int8StaticMethod.scaleAndZeroPoint(lo, hi, exactLo);
    }
}
