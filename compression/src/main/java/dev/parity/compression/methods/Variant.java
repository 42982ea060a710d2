package dev.parity.compression.methods;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One compressed candidate: the ONNX bytes a method produced, the directory suffix it is registered
 * under ({@code <version>-<suffix>}), its method name and parameters (for the manifest's lineage)
 * and notes for the report (layers left unchanged, fallbacks taken).
 */
public final class Variant {
    private final String suffix;
    private final String method;
    private final Map<String, String> parameters;
    private final byte[] onnx;
    private final List<String> notes;

    public Variant(
            String suffix,
            String method,
            Map<String, String> parameters,
            byte[] onnx,
            List<String> notes) {
        if (!suffix.matches("[a-z0-9][a-z0-9.-]*")) {
            throw new IllegalArgumentException("bad variant suffix '" + suffix + "'");
        }
        this.suffix = suffix;
        this.method = method;
        this.parameters = new LinkedHashMap<>(parameters);
        this.onnx = onnx;
        this.notes = List.copyOf(notes);
    }

    public String suffix() {
        return suffix;
    }

    public String method() {
        return method;
    }

    public Map<String, String> parameters() {
        return parameters;
    }

    public byte[] onnx() {
        return onnx;
    }

    public List<String> notes() {
        return notes;
    }
}
