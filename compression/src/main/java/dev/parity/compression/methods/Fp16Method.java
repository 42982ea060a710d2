package dev.parity.compression.methods;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.onnx.GraphEditor;
import dev.parity.compression.onnx.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * float16 weights with float32 compute: each float32 initializer of at least {@link #MIN_ELEMENTS}
 * elements is stored as float16 and cast back by a {@code Cast} at the start of the graph. ONNX
 * Runtime has no fast float16 Gemm/MatMul kernels on x86 CPUs (a known ONNX Runtime limit), so this
 * is a size win only; inputs and outputs stay float32. Small tensors (biases, imputation defaults,
 * standardisation constants) stay float32: they carry precision, not size.
 */
public final class Fp16Method implements CompressionMethod {
    public static final int MIN_ELEMENTS = 64;
    private static final float HALF_MAX = 65504f;

    @Override
    public String name() {
        return "fp16";
    }

    @Override
    public List<Variant> apply(MethodContext ctx) throws MethodSkippedException {
        GraphEditor g = GraphEditor.of(ctx.teacher());
        List<String> notes = new ArrayList<>();
        int converted = 0;
        long halved = 0;
        for (OnnxMl.TensorProto t : ctx.teacher().getGraph().getInitializerList()) {
            if (!Tensors.isFloat(t) || Tensors.numel(t) < MIN_ELEMENTS) {
                continue;
            }
            float[] v = Tensors.floats(t);
            float max = 0;
            for (float x : v) {
                max = Math.max(max, Math.abs(x));
            }
            if (max > HALF_MAX) {
                notes.add(
                        "initializer '"
                                + t.getName()
                                + "' kept float32: |value| up to "
                                + max
                                + " overflows float16");
                continue;
            }
            String half =
                    g.addInitializer(
                            Tensors.halves(g.fresh(t.getName() + "_fp16"), Tensors.dims(t), v));
            g.removeInitializer(t.getName());
            g.addPrologue(
                    GraphEditor.node(
                                    "Cast",
                                    g.fresh(t.getName() + "_cast"),
                                    List.of(half),
                                    List.of(t.getName()))
                            .toBuilder()
                            .addAttribute(
                                    GraphEditor.intAttr(
                                            "to", OnnxMl.TensorProto.DataType.FLOAT.getNumber()))
                            .build());
            converted++;
            halved += Tensors.numel(t);
        }
        if (converted == 0) {
            throw new MethodSkippedException(
                    "no float32 initializer with at least " + MIN_ELEMENTS + " elements");
        }
        notes.add("compute stays float32 (Cast after each float16 initializer)");
        Map<String, String> params = new LinkedHashMap<>();
        params.put("initializers", Integer.toString(converted));
        params.put("elements", Long.toString(halved));
        params.put("min_elements", Integer.toString(MIN_ELEMENTS));
        return List.of(new Variant("fp16", name(), params, g.build().toByteArray(), notes));
    }
}
