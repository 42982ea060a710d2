package dev.parity.compression.onnx;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the layers the compression methods can rewrite (Gemm and MatMul with a constant 2-D weight,
 * Conv with a constant weight) and lists what they cannot, so that nothing is dropped silently:
 * control flow, operators outside the known set, weighted nodes of a form we leave alone.
 */
public final class Layers {
    /** Operators whose subgraphs we never rewrite. */
    public static final Set<String> CONTROL_FLOW = Set.of("If", "Loop", "Scan");

    private Layers() {}

    /**
     * A dense layer {@code y = alpha * x @ W + beta * bias} with W as [k, n] (transposed from the
     * stored [n, k] when {@code transB}).
     */
    public static final class Dense {
        public final int index;
        public final OnnxMl.NodeProto node;
        public final String input;
        public final String weight;
        public final String bias; // null for MatMul or a Gemm without C
        public final boolean transB;
        public final float alpha;
        public final float beta;
        public final int k;
        public final int n;

        Dense(
                int index,
                OnnxMl.NodeProto node,
                String weight,
                String bias,
                boolean transB,
                float alpha,
                float beta,
                int k,
                int n) {
            this.index = index;
            this.node = node;
            this.input = node.getInput(0);
            this.weight = weight;
            this.bias = bias;
            this.transB = transB;
            this.alpha = alpha;
            this.beta = beta;
            this.k = k;
            this.n = n;
        }

        public boolean isGemm() {
            return node.getOpType().equals("Gemm");
        }

        public String output() {
            return node.getOutput(0);
        }

        /** W as row-major [k, n], whatever the stored orientation. */
        public float[] weightKn(GraphEditor g) {
            float[] w = Tensors.floats(g.initializer(weight));
            return transB ? transpose(w, n, k) : w;
        }
    }

    /** A Conv with a constant float weight [out, in/group, k...]. */
    public static final class Conv {
        public final int index;
        public final OnnxMl.NodeProto node;
        public final String weight;
        public final String bias;
        public final long[] weightDims;

        Conv(int index, OnnxMl.NodeProto node, String weight, String bias, long[] weightDims) {
            this.index = index;
            this.node = node;
            this.weight = weight;
            this.bias = bias;
            this.weightDims = weightDims;
        }
    }

    /** The rewritable dense layers of the top-level graph, in node order. */
    public static List<Dense> dense(GraphEditor g, List<String> unsupported) {
        List<Dense> out = new ArrayList<>();
        List<OnnxMl.NodeProto> nodes = g.originalNodes();
        for (int i = 0; i < nodes.size(); i++) {
            OnnxMl.NodeProto node = nodes.get(i);
            String op = node.getOpType();
            if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
                continue;
            }
            if (op.equals("Gemm")) {
                String why = null;
                OnnxMl.TensorProto w =
                        node.getInputCount() > 1 ? g.initializer(node.getInput(1)) : null;
                if (GraphEditor.attrInt(node, "transA", 0) != 0) {
                    why = "transA=1";
                } else if (w == null || !Tensors.isFloat(w) || w.getDimsCount() != 2) {
                    why = "weight is not a constant float32 matrix";
                }
                String bias =
                        node.getInputCount() > 2 && !node.getInput(2).isEmpty()
                                ? node.getInput(2)
                                : null;
                if (why == null && bias != null) {
                    OnnxMl.TensorProto b = g.initializer(bias);
                    if (b == null || !Tensors.isFloat(b)) {
                        why = "bias is not a constant float32 tensor";
                    }
                }
                if (why != null) {
                    unsupported.add(describe(node) + ": left unchanged (" + why + ")");
                    continue;
                }
                boolean transB = GraphEditor.attrInt(node, "transB", 0) != 0;
                int rows = (int) w.getDims(0);
                int cols = (int) w.getDims(1);
                out.add(
                        new Dense(
                                i,
                                node,
                                w.getName(),
                                bias,
                                transB,
                                GraphEditor.attrFloat(node, "alpha", 1f),
                                GraphEditor.attrFloat(node, "beta", 1f),
                                transB ? cols : rows,
                                transB ? rows : cols));
            } else if (op.equals("MatMul")) {
                OnnxMl.TensorProto w = g.initializer(node.getInput(1));
                if (g.isInitializer(node.getInput(0))) {
                    unsupported.add(describe(node) + ": left unchanged (constant left operand)");
                    continue;
                }
                if (w == null || !Tensors.isFloat(w) || w.getDimsCount() != 2) {
                    unsupported.add(
                            describe(node)
                                    + ": left unchanged (right operand is not a constant float32"
                                    + " matrix)");
                    continue;
                }
                out.add(
                        new Dense(
                                i,
                                node,
                                w.getName(),
                                null,
                                false,
                                1f,
                                1f,
                                (int) w.getDims(0),
                                (int) w.getDims(1)));
            }
        }
        return out;
    }

    /** The rewritable Conv layers of the top-level graph, in node order. */
    public static List<Conv> convs(GraphEditor g, List<String> unsupported) {
        List<Conv> out = new ArrayList<>();
        List<OnnxMl.NodeProto> nodes = g.originalNodes();
        for (int i = 0; i < nodes.size(); i++) {
            OnnxMl.NodeProto node = nodes.get(i);
            if (!node.getOpType().equals("Conv")
                    || !(node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx"))) {
                continue;
            }
            OnnxMl.TensorProto w = g.initializer(node.getInput(1));
            String bias =
                    node.getInputCount() > 2 && !node.getInput(2).isEmpty()
                            ? node.getInput(2)
                            : null;
            if (w == null || !Tensors.isFloat(w) || w.getDimsCount() < 3) {
                unsupported.add(
                        describe(node) + ": left unchanged (weight is not a constant float32)");
                continue;
            }
            if (bias != null
                    && (g.initializer(bias) == null || !Tensors.isFloat(g.initializer(bias)))) {
                unsupported.add(describe(node) + ": left unchanged (bias is not constant)");
                continue;
            }
            out.add(new Conv(i, node, w.getName(), bias, Tensors.dims(w)));
        }
        return out;
    }

    /**
     * What no method rewrites: control-flow nodes (with their subgraphs) and operators outside
     * {@code known}, each listed once with the node that uses it.
     */
    public static List<String> unhandledConstructs(OnnxMl.ModelProto model, Set<String> known) {
        Set<String> out = new TreeSet<>();
        for (OnnxMl.NodeProto n : model.getGraph().getNodeList()) {
            String domain = n.getDomain();
            boolean std = domain.isEmpty() || domain.equals("ai.onnx");
            if (std && CONTROL_FLOW.contains(n.getOpType())) {
                out.add(describe(n) + ": control flow, subgraphs left unchanged");
            } else if (!std || !known.contains(n.getOpType())) {
                out.add(
                        describe(n)
                                + ": operator "
                                + (std ? "" : domain + ":")
                                + n.getOpType()
                                + " not handled, left unchanged");
            }
        }
        return new ArrayList<>(out);
    }

    public static String describe(OnnxMl.NodeProto n) {
        return n.getOpType() + " '" + (n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + "'";
    }

    public static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }
}
