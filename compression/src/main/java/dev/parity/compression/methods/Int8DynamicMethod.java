package dev.parity.compression.methods;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.onnx.GraphEditor;
import dev.parity.compression.onnx.Layers;
import dev.parity.compression.onnx.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dynamic int8 quantisation, the graph shape ONNX Runtime's own quantizer emits: weights int8 per
 * output channel (symmetric, so no weight zero point is needed and none is passed), activations
 * quantised to uint8 at run time by {@code DynamicQuantizeLinear}, integer products by {@code
 * MatMulInteger}/{@code ConvInteger}, then {@code Cast} to float, one {@code Mul} by
 * activation-scale x weight-scale per channel and the float bias {@code Add}.
 *
 * <pre>
 *   x -> DynamicQuantizeLinear -> (xq, xs, xzp)
 *   MatMulInteger(xq, Wq[k,n] int8, xzp) -> int32 -> Cast -> Mul(xs * ws[n]) -> Add(bias) -> y
 * </pre>
 */
public final class Int8DynamicMethod implements CompressionMethod {
    private static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT.getNumber();

    @Override
    public String name() {
        return "int8-dynamic";
    }

    @Override
    public List<Variant> apply(MethodContext ctx) throws MethodSkippedException {
        QuantizableLayers found =
                QuantizableLayers.find(ctx.teacher(), 11, "DynamicQuantizeLinear");
        List<String> notes = found.notes();
        List<Layers.Dense> dense = found.dense();
        List<Layers.Conv> convs = found.convs();
        List<Variant> out = new ArrayList<>();
        out.add(variant(ctx.teacher(), true, notes));
        if (!convs.isEmpty() && !dense.isEmpty()) {
            // ConvInteger is a slow path in ONNX Runtime's CPU provider (measured 3.6x slower than
            // the float Conv model at batch 256, docs/BENCHMARKS.md): also offer the variant that
            // quantises only the dense layers and keeps Conv in float32.
            List<String> n = new ArrayList<>(notes);
            n.add("Conv layers kept float32");
            out.add(variant(ctx.teacher(), false, n));
        }
        return out;
    }

    private Variant variant(OnnxMl.ModelProto teacher, boolean withConv, List<String> notes) {
        GraphEditor g = GraphEditor.of(teacher);
        List<Layers.Dense> dense = Layers.dense(g, new ArrayList<>());
        List<Layers.Conv> convs = withConv ? Layers.convs(g, new ArrayList<>()) : List.of();
        Map<String, String[]> quantizedInputs = new HashMap<>();
        for (Layers.Dense d : dense) {
            g.replaceNode(d.index, dense(g, d, quantizedInputs));
        }
        for (Layers.Conv c : convs) {
            g.replaceNode(c.index, conv(g, c, quantizedInputs));
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("weights", "int8 symmetric per output channel");
        params.put("activations", "uint8 per tensor, dynamic");
        params.put("dense_layers", Integer.toString(dense.size()));
        params.put("conv_layers", Integer.toString(convs.size()));
        return new Variant(
                withConv ? "int8-dynamic" : "int8-dynamic-dense",
                name(),
                params,
                g.build().toByteArray(),
                notes);
    }

    /** DynamicQuantizeLinear for {@code input}, shared by every layer reading it. */
    private static String[] quantizeInput(
            GraphEditor g, String input, List<OnnxMl.NodeProto> nodes, Map<String, String[]> done) {
        String[] q = done.get(input);
        if (q != null) {
            return q;
        }
        q =
                new String[] {
                    g.fresh(input + "_quantized"),
                    g.fresh(input + "_scale"),
                    g.fresh(input + "_zero_point")
                };
        nodes.add(
                GraphEditor.node(
                        "DynamicQuantizeLinear",
                        g.fresh(input + "_QuantizeLinear"),
                        List.of(input),
                        List.of(q)));
        done.put(input, q);
        return q;
    }

    private static List<OnnxMl.NodeProto> dense(
            GraphEditor g, Layers.Dense d, Map<String, String[]> quantizedInputs) {
        List<OnnxMl.NodeProto> nodes = new ArrayList<>();
        String base = d.node.getName().isEmpty() ? d.output() : d.node.getName();
        String[] x = quantizeInput(g, d.input, nodes, quantizedInputs);
        Quantization.PerChannel q = Quantization.columns(d.weightKn(g), d.k, d.n);
        String wq =
                g.addInitializer(
                        Tensors.int8(g.fresh(d.weight + "_quantized"), new long[] {d.k, d.n}, q.q));
        float[] scales = q.scales.clone();
        for (int i = 0; i < scales.length; i++) {
            scales[i] *= d.alpha;
        }
        String ws =
                g.addInitializer(
                        Tensors.floats(g.fresh(d.weight + "_scale"), new long[] {d.n}, scales));
        String acc = g.fresh(base + "_MatMulInteger_output");
        nodes.add(
                GraphEditor.node(
                        "MatMulInteger",
                        g.fresh(base + "_MatMulInteger"),
                        List.of(x[0], wq, x[2]),
                        List.of(acc)));
        String accf = g.fresh(acc + "_cast");
        nodes.add(cast(g, acc, accf, FLOAT));
        String scale = g.fresh(base + "_output_scale");
        nodes.add(
                GraphEditor.node(
                        "Mul", g.fresh(base + "_scale_mul"), List.of(x[1], ws), List.of(scale)));
        String y = d.bias == null ? d.output() : g.fresh(base + "_unbiased");
        nodes.add(
                GraphEditor.node(
                        "Mul", g.fresh(base + "_rescale"), List.of(accf, scale), List.of(y)));
        if (d.bias != null) {
            String bias = d.bias;
            if (d.beta != 1f) {
                OnnxMl.TensorProto b = g.initializer(d.bias);
                float[] v = Tensors.floats(b);
                for (int i = 0; i < v.length; i++) {
                    v[i] *= d.beta;
                }
                bias =
                        g.addInitializer(
                                Tensors.floats(g.fresh(d.bias + "_scaled"), Tensors.dims(b), v));
            }
            nodes.add(
                    GraphEditor.node(
                            "Add",
                            g.fresh(base + "_bias_add"),
                            List.of(y, bias),
                            List.of(d.output())));
        }
        return nodes;
    }

    private static List<OnnxMl.NodeProto> conv(
            GraphEditor g, Layers.Conv c, Map<String, String[]> quantizedInputs) {
        List<OnnxMl.NodeProto> nodes = new ArrayList<>();
        String base = c.node.getName().isEmpty() ? c.node.getOutput(0) : c.node.getName();
        String output = c.node.getOutput(0);
        String[] x = quantizeInput(g, c.node.getInput(0), nodes, quantizedInputs);
        int channels = (int) c.weightDims[0];
        Quantization.PerChannel q =
                Quantization.leading(Tensors.floats(g.initializer(c.weight)), channels);
        // Symmetric int8 weights need no zero point. ONNX Runtime 1.24's CPU ConvInteger refuses
        // a per-channel weight zero point (only at run time: "Non per-tensor quantization is not
        // supported now"), so the per-channel scales are applied after it, by the Mul below.
        String wq =
                g.addInitializer(Tensors.int8(g.fresh(c.weight + "_quantized"), c.weightDims, q.q));
        long[] channelShape = new long[c.weightDims.length];
        Arrays.fill(channelShape, 1);
        channelShape[1] = channels; // [1, M, 1, ...] broadcasts over N, C, spatial
        String ws =
                g.addInitializer(
                        Tensors.floats(g.fresh(c.weight + "_scale"), channelShape, q.scales));
        String acc = g.fresh(base + "_ConvInteger_output");
        OnnxMl.NodeProto.Builder convInt =
                GraphEditor.node(
                        "ConvInteger",
                        g.fresh(base + "_ConvInteger"),
                        List.of(x[0], wq, x[2]),
                        List.of(acc))
                        .toBuilder();
        convInt.addAllAttribute(c.node.getAttributeList());
        nodes.add(convInt.build());
        String accf = g.fresh(acc + "_cast");
        nodes.add(cast(g, acc, accf, FLOAT));
        String scale = g.fresh(base + "_output_scale");
        nodes.add(
                GraphEditor.node(
                        "Mul", g.fresh(base + "_scale_mul"), List.of(x[1], ws), List.of(scale)));
        String y = c.bias == null ? output : g.fresh(base + "_unbiased");
        nodes.add(
                GraphEditor.node(
                        "Mul", g.fresh(base + "_rescale"), List.of(accf, scale), List.of(y)));
        if (c.bias != null) {
            float[] b = Tensors.floats(g.initializer(c.bias));
            String bias =
                    g.addInitializer(
                            Tensors.floats(g.fresh(c.bias + "_reshaped"), channelShape, b));
            nodes.add(
                    GraphEditor.node(
                            "Add", g.fresh(base + "_bias_add"), List.of(y, bias), List.of(output)));
        }
        return nodes;
    }

    static OnnxMl.NodeProto cast(GraphEditor g, String in, String out, int to) {
        return GraphEditor.node("Cast", g.fresh(out + "_node"), List.of(in), List.of(out))
                .toBuilder()
                .addAttribute(GraphEditor.intAttr("to", to))
                .build();
    }
}
