package dev.parity.compression.training;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.parity.models.LinearOnnxModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an {@link Mlp} as the ONNX graph of the {@link dev.parity.compression.spi.MlpTrainer}
 * contract and reads such a graph back, so fine-tuning and distillation start from the exact
 * weights and preprocessing constants a model is served with.
 *
 * <pre>{@code
 * byte[] onnx = MlpOnnx.export(mlp);
 * Mlp again = MlpOnnx.parse(onnx); // same arrays
 * }</pre>
 *
 * <p>Graph: {@code features} [N, d] -> {@code Where(IsNaN(x), defaults, x)} -> {@code Sub(mean)} ->
 * {@code Div(std)} -> per layer {@code Gemm(h, W[in,out], b[out])} (+ {@code Relu}) -> {@code
 * prediction} [N, 1]; opset 17, weights as initializers in {@code raw_data}.
 */
public final class MlpOnnx {
    public static final int OPSET = 17;
    static final String DEFAULTS = "impute_defaults";
    static final String MEAN = "standardise_mean";
    static final String STD = "standardise_std";

    private MlpOnnx() {}

    /** The serialised ONNX model. */
    public static byte[] export(Mlp mlp) {
        int d = mlp.inputs();
        Preprocessing p = mlp.preprocessing();
        String in = mlp.inputName();
        OnnxMl.GraphProto.Builder g =
                OnnxMl.GraphProto.newBuilder()
                        .setName("mlp")
                        .addInput(LinearOnnxModel.floatMatrix(in, d))
                        .addOutput(LinearOnnxModel.floatMatrix(mlp.outputName(), 1))
                        .addInitializer(tensor(DEFAULTS, p.defaults(), d))
                        .addInitializer(tensor(MEAN, p.mean(), d))
                        .addInitializer(tensor(STD, p.std(), d))
                        .addNode(node("IsNaN", "is_missing", List.of(in), "is_missing"))
                        .addNode(
                                node(
                                        "Where",
                                        "impute",
                                        List.of("is_missing", DEFAULTS, in),
                                        "imputed"))
                        .addNode(node("Sub", "centre", List.of("imputed", MEAN), "centred"))
                        .addNode(
                                node(
                                        "Div",
                                        "standardise",
                                        List.of("centred", STD),
                                        "standardised"));
        String h = "standardised";
        List<Mlp.Layer> layers = mlp.layers();
        for (int k = 0; k < layers.size(); k++) {
            Mlp.Layer l = layers.get(k);
            boolean last = k == layers.size() - 1;
            String w = "layer" + k + "_W";
            String b = "layer" + k + "_b";
            g.addInitializer(tensor(w, l.w, l.in, l.out));
            List<String> inputs = new ArrayList<>(List.of(h, w));
            if (l.b != null) {
                g.addInitializer(tensor(b, l.b, l.out));
                inputs.add(b);
            }
            String out = last ? mlp.outputName() : "layer" + k;
            g.addNode(node("Gemm", "layer" + k + "_gemm", inputs, out));
            h = out;
            if (l.relu) {
                String r = "layer" + k + "_relu";
                g.addNode(node("Relu", r, List.of(h), r));
                h = r;
            }
        }
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("parity-mlp-djl")
                .addOpsetImport(
                        OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g)
                .build()
                .toByteArray();
    }

    /** The tensor {@link #export} feeds layer {@code k}'s Gemm with. */
    public static String inputOf(Mlp mlp, int k) {
        if (k == 0) {
            return "standardised";
        }
        return mlp.layers().get(k - 1).relu ? "layer" + (k - 1) + "_relu" : "layer" + (k - 1);
    }

    /**
     * Reads a graph of the contract's layout back into arrays.
     *
     * @throws IllegalArgumentException naming the node or tensor that does not fit the layout (e.g.
     *     a quantised or otherwise rewritten model, which cannot be trained)
     */
    public static Mlp parse(byte[] onnx) {
        OnnxMl.GraphProto g;
        try {
            g = OnnxMl.ModelProto.parseFrom(onnx).getGraph();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
        }
        Map<String, OnnxMl.TensorProto> init = new HashMap<>();
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            init.put(t.getName(), t);
        }
        List<String> inputs = new ArrayList<>();
        for (OnnxMl.ValueInfoProto v : g.getInputList()) {
            if (!init.containsKey(v.getName())) {
                inputs.add(v.getName());
            }
        }
        if (inputs.size() != 1 || g.getOutputCount() != 1) {
            throw new IllegalArgumentException(
                    "an MLP has one input and one output, this graph has inputs "
                            + inputs
                            + " and "
                            + g.getOutputCount()
                            + " outputs");
        }
        String input = inputs.get(0);
        String output = g.getOutput(0).getName();
        Map<String, List<OnnxMl.NodeProto>> consumers = new HashMap<>();
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            for (String i : n.getInputList()) {
                consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
            }
        }
        OnnxMl.NodeProto where = null;
        OnnxMl.NodeProto isNaN = null;
        for (OnnxMl.NodeProto n : consumers.getOrDefault(input, List.of())) {
            if (n.getOpType().equals("IsNaN")) {
                isNaN = n;
            } else if (n.getOpType().equals("Where")) {
                where = n;
            } else {
                throw unexpected(n, "IsNaN and Where on input '" + input + "'");
            }
        }
        if (isNaN == null
                || where == null
                || where.getInputCount() != 3
                || !where.getInput(0).equals(isNaN.getOutput(0))
                || !where.getInput(2).equals(input)) {
            throw new IllegalArgumentException(
                    "no imputation Where(IsNaN(" + input + "), defaults, " + input + ") found");
        }
        float[] defaults = floats(init, where.getInput(1), where);
        OnnxMl.NodeProto sub = single(consumers, where.getOutput(0), "Sub");
        float[] mean = floats(init, sub.getInput(1), sub);
        OnnxMl.NodeProto div = single(consumers, sub.getOutput(0), "Div");
        float[] std = floats(init, div.getInput(1), div);
        Preprocessing pre = new Preprocessing(defaults, mean, std);

        List<Mlp.Layer> layers = new ArrayList<>();
        String h = div.getOutput(0);
        int in = defaults.length;
        while (!h.equals(output)) {
            OnnxMl.NodeProto gemm = single(consumers, h, "Gemm");
            layers.add(layer(gemm, init, in, h));
            in = layers.get(layers.size() - 1).out;
            h = gemm.getOutput(0);
            if (h.equals(output)) {
                break;
            }
            List<OnnxMl.NodeProto> next = consumers.getOrDefault(h, List.of());
            if (next.size() == 1 && next.get(0).getOpType().equals("Relu")) {
                Mlp.Layer l = layers.remove(layers.size() - 1);
                layers.add(new Mlp.Layer(l.in, l.out, l.w, l.b, true));
                h = next.get(0).getOutput(0);
            }
        }
        return new Mlp(input, output, pre, layers);
    }

    private static Mlp.Layer layer(
            OnnxMl.NodeProto gemm, Map<String, OnnxMl.TensorProto> init, int in, String from) {
        if (gemm.getInputCount() < 2 || !gemm.getInput(0).equals(from)) {
            throw unexpected(gemm, "Gemm(h, W, b)");
        }
        float alpha = 1f;
        float beta = 1f;
        long transA = 0;
        long transB = 0;
        for (OnnxMl.AttributeProto a : gemm.getAttributeList()) {
            switch (a.getName()) {
                case "alpha" -> alpha = a.getF();
                case "beta" -> beta = a.getF();
                case "transA" -> transA = a.getI();
                case "transB" -> transB = a.getI();
                default -> throw unexpected(gemm, "Gemm without attribute '" + a.getName() + "'");
            }
        }
        if (alpha != 1f || transA != 0 || (gemm.getInputCount() == 3 && beta != 1f)) {
            throw unexpected(gemm, "Gemm with alpha = beta = 1 and transA = 0");
        }
        OnnxMl.TensorProto wt = init.get(gemm.getInput(1));
        if (wt == null || wt.getDimsCount() != 2) {
            throw unexpected(gemm, "a 2-d weight initializer as Gemm's B");
        }
        float[] w = floats(init, gemm.getInput(1), gemm);
        int rows = (int) wt.getDims(0);
        int cols = (int) wt.getDims(1);
        if (transB != 0) { // stored [out, in]: bring it to [in, out]
            float[] t = new float[w.length];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    t[c * rows + r] = w[r * cols + c];
                }
            }
            w = t;
            int swap = rows;
            rows = cols;
            cols = swap;
        }
        if (rows != in) {
            throw unexpected(gemm, "a weight with " + in + " rows (the width of its input)");
        }
        float[] b = null;
        if (gemm.getInputCount() == 3 && !gemm.getInput(2).isEmpty()) {
            b = floats(init, gemm.getInput(2), gemm);
            if (b.length != cols) {
                throw unexpected(gemm, "a bias of " + cols + " values");
            }
        }
        return new Mlp.Layer(rows, cols, w, b, false);
    }

    private static OnnxMl.NodeProto single(
            Map<String, List<OnnxMl.NodeProto>> consumers, String tensor, String op) {
        List<OnnxMl.NodeProto> c = consumers.getOrDefault(tensor, List.of());
        if (c.size() != 1 || !c.get(0).getOpType().equals(op)) {
            List<String> found = new ArrayList<>();
            for (OnnxMl.NodeProto n : c) {
                found.add(n.getOpType() + " '" + n.getName() + "'");
            }
            throw new IllegalArgumentException(
                    "not the MLP layout: expected one "
                            + op
                            + " consuming '"
                            + tensor
                            + "', found "
                            + found
                            + " (only float Gemm/Relu MLPs can be trained)");
        }
        return c.get(0);
    }

    private static IllegalArgumentException unexpected(OnnxMl.NodeProto n, String expected) {
        return new IllegalArgumentException(
                "not the MLP layout at node '"
                        + n.getName()
                        + "' ("
                        + n.getOpType()
                        + "): expected "
                        + expected);
    }

    /** A float32 initializer's values, from float_data or little-endian raw_data. */
    private static float[] floats(
            Map<String, OnnxMl.TensorProto> init, String name, OnnxMl.NodeProto user) {
        OnnxMl.TensorProto t = init.get(name);
        if (t == null) {
            throw unexpected(user, "'" + name + "' to be an initializer");
        }
        if (t.getDataType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
            throw new IllegalArgumentException(
                    "initializer '"
                            + name
                            + "' is not float32 (data type "
                            + t.getDataType()
                            + "): only float models can be trained");
        }
        long n = 1;
        for (long dim : t.getDimsList()) {
            n *= dim;
        }
        float[] out;
        if (t.getFloatDataCount() > 0) {
            out = new float[t.getFloatDataCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = t.getFloatData(i);
            }
        } else {
            ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            out = new float[raw.remaining() / Float.BYTES];
            raw.asFloatBuffer().get(out);
        }
        if (out.length != n) {
            throw new IllegalArgumentException(
                    "initializer '" + name + "' has " + out.length + " values for shape " + n);
        }
        return out;
    }

    private static OnnxMl.TensorProto tensor(String name, float[] values, long... dims) {
        ByteBuffer raw =
                ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        OnnxMl.TensorProto.Builder t =
                OnnxMl.TensorProto.newBuilder()
                        .setName(name)
                        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .setRawData(com.google.protobuf.ByteString.copyFrom(raw.array()));
        for (long dim : dims) {
            t.addDims(dim);
        }
        return t.build();
    }

    private static OnnxMl.NodeProto node(
            String op, String name, List<String> inputs, String output) {
        return OnnxMl.NodeProto.newBuilder()
                .setOpType(op)
                .setName(name)
                .addAllInput(inputs)
                .addOutput(output)
                .build();
    }
}
