package dev.parity.compression.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * Makes DJL run offline before its engine loads: PyTorch's CPU natives and the JNI library come
 * from the Maven jars ({@code pytorch-native-cpu}, {@code pytorch-jni}) and are extracted to DJL's
 * cache directory; with {@code ai.djl.offline=true} a missing native fails instead of downloading.
 */
final class DjlRuntime {
    private DjlRuntime() {}

    static synchronized void init() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("PYTORCH_FLAVOR", "cpu");
        setIfAbsent("ai.djl.default_engine", "PyTorch");
    }

    private static boolean convolutionChecked;

    /**
     * Checks once per JVM that PyTorch's 2-D convolution gives the values of a plain-Java one. On
     * some CPUs (an AMD Zen 5 virtual machine here) PyTorch's oneDNN AVX-512 kernels return wrong
     * values for dense multi-channel convolutions, silently; capping oneDNN at AVX2 ({@code
     * ONEDNN_MAX_CPU_ISA=AVX2}, which {@code ./parity} sets) fixes it. The check is a 3x3, 24 to 24
     * channel convolution of 16x16 images, a shape the faulty kernels got wrong by more than 10.
     *
     * @throws IllegalStateException naming the variable to set, when the values differ
     */
    static synchronized void checkConvolution() {
        init();
        if (convolutionChecked) {
            return;
        }
        int n = 2;
        int c = 24;
        int h = 16;
        int k = 3;
        java.util.Random r = new java.util.Random(42);
        float[] x = new float[n * c * h * h];
        float[] w = new float[c * c * k * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        float[] got;
        try (NDManager m = NDManager.newBaseManager(Engine.getEngine("PyTorch").getEngineName())) {
            got =
                    Conv2d.conv2d(
                                    m.create(x, new Shape(n, c, h, h)),
                                    m.create(w, new Shape(c, c, k, k)),
                                    null,
                                    new Shape(1, 1),
                                    new Shape(1, 1),
                                    new Shape(1, 1),
                                    1)
                            .singletonOrThrow()
                            .toFloatArray();
        }
        double worst = 0;
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < c; o++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < h; j++) {
                        double sum = 0;
                        for (int ic = 0; ic < c; ic++) {
                            for (int di = 0; di < k; di++) {
                                for (int dj = 0; dj < k; dj++) {
                                    int ii = i + di - 1;
                                    int jj = j + dj - 1;
                                    if (ii >= 0 && jj >= 0 && ii < h && jj < h) {
                                        sum +=
                                                x[((b * c + ic) * h + ii) * h + jj]
                                                        * w[((o * c + ic) * k + di) * k + dj];
                                    }
                                }
                            }
                        }
                        float v = got[((b * c + o) * h + i) * h + j];
                        worst = Float.isFinite(v) ? Math.max(worst, Math.abs(v - sum)) : 1e30;
                    }
                }
            }
        }
        // the sums are of 216 products of N(0,1) values (|sum| ~ 15): float rounding is ~1e-5
        if (worst > 1e-3) {
            throw new IllegalStateException(
                    String.format(
                            java.util.Locale.ROOT,
                            "PyTorch's convolution returns wrong values on this CPU (max |diff| %.3g"
                                    + " from a plain-Java 3x3 convolution; ONEDNN_MAX_CPU_ISA=%s):"
                                    + " set ONEDNN_MAX_CPU_ISA=AVX2 in the environment (./parity"
                                    + " does)",
                            worst,
                            System.getenv("ONEDNN_MAX_CPU_ISA")));
        }
        convolutionChecked = true;
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null && System.getenv(key) == null) {
            System.setProperty(key, value);
        }
    }
}
