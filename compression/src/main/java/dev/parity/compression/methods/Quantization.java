package dev.parity.compression.methods;

/**
 * Symmetric per-channel int8 weights (zero point 0, range [-127, 127]) as in ONNX Runtime's
 * quantizer: the scale of a channel is its largest magnitude / 127, so the largest weight is exact
 * and zero stays zero.
 */
final class Quantization {
    private Quantization() {}

    /** Quantised weights and one scale per channel. */
    static final class PerChannel {
        final byte[] q;
        final float[] scales;

        PerChannel(byte[] q, float[] scales) {
            this.q = q;
            this.scales = scales;
        }
    }

    /**
     * Quantises {@code w} where channel {@code c} of element {@code i} is {@code channelOf(i)}: for
     * [k, n] with per-column channels use {@link #columns}, for [out, ...] {@link #leading}.
     */
    static PerChannel columns(float[] w, int k, int n) {
        float[] scales = new float[n];
        for (int i = 0; i < w.length; i++) {
            int c = i % n;
            scales[c] = Math.max(scales[c], Math.abs(w[i]));
        }
        finish(scales);
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            q[i] = quantize(w[i], scales[i % n]);
        }
        return new PerChannel(q, scales);
    }

    /** Channels along the first dimension ([out, rest...], {@code per} elements each). */
    static PerChannel leading(float[] w, int channels) {
        int per = w.length / channels;
        float[] scales = new float[channels];
        for (int i = 0; i < w.length; i++) {
            int c = i / per;
            scales[c] = Math.max(scales[c], Math.abs(w[i]));
        }
        finish(scales);
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            q[i] = quantize(w[i], scales[i / per]);
        }
        return new PerChannel(q, scales);
    }

    private static void finish(float[] maxAbs) {
        for (int c = 0; c < maxAbs.length; c++) {
            // An all-zero channel gets scale 1: its weights quantise to 0 exactly.
            maxAbs[c] = maxAbs[c] > 0 ? maxAbs[c] / 127f : 1f;
        }
    }

    private static byte quantize(float x, float scale) {
        long v = Math.round(x / scale);
        return (byte) Math.max(-127, Math.min(127, v));
    }
}
