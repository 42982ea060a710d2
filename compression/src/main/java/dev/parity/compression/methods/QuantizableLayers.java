package dev.parity.compression.methods;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.onnx.GraphEditor;
import dev.parity.compression.onnx.Layers;
import java.util.ArrayList;
import java.util.List;

/**
 * The weight layers an int8 quantiser rewrites, found once in the teacher, with the notes on what
 * it leaves alone; or the reason the method has nothing to do.
 */
record QuantizableLayers(List<String> notes, List<Layers.Dense> dense, List<Layers.Conv> convs) {
    static QuantizableLayers find(OnnxMl.ModelProto teacher, int minOpset, String needs)
            throws MethodSkippedException {
        long opset = GraphEditor.opset(teacher);
        if (opset < minOpset) {
            throw new MethodSkippedException(
                    "needs opset >= " + minOpset + " (" + needs + "), the model imports " + opset);
        }
        List<String> notes = new ArrayList<>();
        GraphEditor probe = GraphEditor.of(teacher);
        List<Layers.Dense> dense = Layers.dense(probe, notes);
        List<Layers.Conv> convs = Layers.convs(probe, notes);
        if (dense.isEmpty() && convs.isEmpty()) {
            throw new MethodSkippedException("no Gemm, MatMul or Conv with constant weights");
        }
        return new QuantizableLayers(notes, dense, convs);
    }
}
