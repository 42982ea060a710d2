package dev.parity.compression.training;

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

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null && System.getenv(key) == null) {
            System.setProperty(key, value);
        }
    }
}
