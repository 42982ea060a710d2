package dev.parity.compression.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import ai.onnx.proto.OnnxMl;
import dev.parity.compression.onnx.GraphEditor;
import dev.parity.compression.onnx.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph of 2-D convolutions run by DJL, so that its Conv and Gemm weights and biases can be
 * trained with DJL's autograd (fine-tuning a factorised CNN to its original, {@link
 * GraphFineTuner}). Every Conv/Gemm weight and bias initializer is a DJL parameter; every other
 * initializer is a constant. The operators are those of the CNNs the compression job rewrites: Conv
 * (2-D, symmetric pads, any group), Gemm, MatMul, Relu, LeakyRelu, Max/Min with a constant,
 * MaxPool, Reshape, Flatten, Transpose, Add/Sub/Mul/Div, Identity; any other is refused, naming it.
 */
final class OnnxGraphBlock extends AbstractBlock {
    private final OnnxMl.GraphProto graph;
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, OnnxMl.TensorProto> trainable = new LinkedHashMap<>();
    private final Map<String, OnnxMl.TensorProto> constants = new HashMap<>();

    OnnxGraphBlock(OnnxMl.ModelProto model) {
        this.graph = model.getGraph();
        if (graph.getInputCount() != 1 || graph.getOutputCount() != 1) {
            throw new IllegalArgumentException(
                    "fine-tuning a graph needs one input and one output, this one has "
                            + graph.getInputCount()
                            + " and "
                            + graph.getOutputCount());
        }
        Map<String, OnnxMl.TensorProto> init = new HashMap<>();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            init.put(t.getName(), t);
        }
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            String op = n.getOpType();
            boolean learned = op.equals("Conv") || op.equals("Gemm") || op.equals("MatMul");
            for (int i = 0; i < n.getInputCount(); i++) {
                OnnxMl.TensorProto t = init.get(n.getInput(i));
                if (t == null) {
                    continue;
                }
                if (learned && i >= 1 && Tensors.isFloat(t)) {
                    if (!trainable.containsKey(t.getName())) {
                        trainable.put(t.getName(), t);
                        params.put(
                                t.getName(),
                                addParameter(
                                        Parameter.builder()
                                                .setName("p" + params.size())
                                                .setType(
                                                        i == 1
                                                                ? Parameter.Type.WEIGHT
                                                                : Parameter.Type.BIAS)
                                                .build()));
                    }
                } else {
                    constants.put(t.getName(), t);
                }
            }
            if (!SUPPORTED.contains(op)) {
                throw new IllegalArgumentException(
                        "cannot train operator " + op + " (node " + n.getName() + ")");
            }
        }
    }

    private static final java.util.Set<String> SUPPORTED =
            java.util.Set.of(
                    "Conv",
                    "Gemm",
                    "MatMul",
                    "Relu",
                    "LeakyRelu",
                    "Max",
                    "Min",
                    "MaxPool",
                    "Reshape",
                    "Flatten",
                    "Transpose",
                    "Add",
                    "Sub",
                    "Mul",
                    "Div",
                    "Identity");

    /** The trainable initializers, by name, in parameter order. */
    Map<String, OnnxMl.TensorProto> trainable() {
        return trainable;
    }

    Parameter parameter(String initializer) {
        return params.get(initializer);
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        for (Map.Entry<String, OnnxMl.TensorProto> e : trainable.entrySet()) {
            params.get(e.getKey()).setShape(new Shape(Tensors.dims(e.getValue())));
        }
    }

    /** Sets every parameter to its initializer's values (after the block is initialised). */
    void loadInitializers() {
        for (Map.Entry<String, OnnxMl.TensorProto> e : trainable.entrySet()) {
            NDArray p = params.get(e.getKey()).getArray();
            // copied into the parameter's own storage (set(float[]) makes it point at a buffer)
            try (NDArray v = p.getManager().create(Tensors.floats(e.getValue()), p.getShape())) {
                v.copyTo(p);
            }
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), -1)};
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> unused) {
        NDArray x = inputs.singletonOrThrow();
        Map<String, NDArray> env = new HashMap<>();
        env.put(graph.getInput(0).getName(), x);
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            List<NDArray> in = new ArrayList<>();
            for (String name : n.getInputList()) {
                if (name.isEmpty()) {
                    in.add(null);
                } else if (params.containsKey(name)) {
                    in.add(store.getValue(params.get(name), x.getDevice(), training));
                } else if (constants.containsKey(name)) {
                    OnnxMl.TensorProto t = constants.get(name);
                    // non-float constants (a Reshape's shape) are read from the node itself
                    in.add(Tensors.isFloat(t) ? constant(x, t) : null);
                } else {
                    NDArray v = env.get(name);
                    if (v == null) {
                        throw new IllegalArgumentException(
                                "node " + n.getName() + " reads '" + name + "', not computed yet");
                    }
                    in.add(v);
                }
            }
            env.put(n.getOutput(0), apply(n, in));
        }
        return new NDList(env.get(graph.getOutput(0).getName()));
    }

    private NDArray constant(NDArray like, OnnxMl.TensorProto t) {
        long[] dims = Tensors.dims(t);
        return like.getManager().create(Tensors.floats(t), new Shape(dims));
    }

    private NDArray apply(OnnxMl.NodeProto n, List<NDArray> in) {
        NDArray a = in.get(0);
        switch (n.getOpType()) {
            case "Conv":
                {
                    long[] w = in.get(1).getShape().getShape();
                    if (w.length != 4) {
                        throw new IllegalArgumentException(
                                "Conv " + n.getName() + ": only 2-D convolutions");
                    }
                    long[] pads = ints(n, "pads", new long[] {0, 0, 0, 0});
                    if (pads[0] != pads[2] || pads[1] != pads[3]) {
                        throw new IllegalArgumentException(
                                "Conv " + n.getName() + ": asymmetric pads " + List.of(pads));
                    }
                    NDArray bias = in.size() > 2 ? in.get(2) : null;
                    return Conv2d.conv2d(
                                    a,
                                    in.get(1),
                                    bias,
                                    new Shape(ints(n, "strides", new long[] {1, 1})),
                                    new Shape(pads[0], pads[1]),
                                    new Shape(ints(n, "dilations", new long[] {1, 1})),
                                    (int) GraphEditor.attrInt(n, "group", 1))
                            .singletonOrThrow();
                }
            case "Gemm":
                {
                    NDArray b = in.get(1);
                    if (GraphEditor.attrInt(n, "transA", 0) != 0) {
                        a = a.transpose();
                    }
                    if (GraphEditor.attrInt(n, "transB", 0) != 0) {
                        // derived from a weight: owned by the batch, not by the weight's manager
                        b = b.transpose();
                        b.attach(a.getManager());
                    }
                    NDArray y = a.matMul(b).mul(GraphEditor.attrFloat(n, "alpha", 1f));
                    if (in.size() > 2 && in.get(2) != null) {
                        NDArray c = in.get(2).mul(GraphEditor.attrFloat(n, "beta", 1f));
                        c.attach(a.getManager());
                        y = y.add(c);
                    }
                    return y;
                }
            case "MatMul":
                return a.matMul(in.get(1));
            case "Relu":
                return Activation.relu(a);
            case "LeakyRelu":
                return Activation.leakyRelu(a, GraphEditor.attrFloat(n, "alpha", 0.01f));
            case "Max":
                return a.maximum(in.get(1));
            case "Min":
                return a.minimum(in.get(1));
            case "MaxPool":
                {
                    long[] pads = ints(n, "pads", new long[] {0, 0, 0, 0});
                    if (pads[0] != pads[2] || pads[1] != pads[3]) {
                        throw new IllegalArgumentException(
                                "MaxPool " + n.getName() + ": asymmetric pads");
                    }
                    long[] kernel = ints(n, "kernel_shape", null);
                    return Pool.maxPool2d(
                            a,
                            new Shape(kernel),
                            new Shape(ints(n, "strides", kernel)),
                            new Shape(pads[0], pads[1]),
                            GraphEditor.attrInt(n, "ceil_mode", 0) != 0);
                }
            case "Reshape":
                {
                    long[] target = shapeConstant(n.getInput(1));
                    long[] now = a.getShape().getShape();
                    long[] dims = target.clone();
                    for (int i = 0; i < dims.length; i++) {
                        if (dims[i] == 0) {
                            dims[i] = now[i];
                        }
                    }
                    return a.reshape(new Shape(dims));
                }
            case "Flatten":
                {
                    int axis = (int) GraphEditor.attrInt(n, "axis", 1);
                    long[] s = a.getShape().getShape();
                    long lead = 1;
                    for (int i = 0; i < axis; i++) {
                        lead *= s[i];
                    }
                    return a.reshape(lead, -1);
                }
            case "Transpose":
                {
                    long[] perm = ints(n, "perm", null);
                    int[] p = new int[perm.length];
                    for (int i = 0; i < p.length; i++) {
                        p[i] = (int) perm[i];
                    }
                    return a.transpose(p);
                }
            case "Add":
                return a.add(in.get(1));
            case "Sub":
                return a.sub(in.get(1));
            case "Mul":
                return a.mul(in.get(1));
            case "Div":
                return a.div(in.get(1));
            case "Identity":
                return a;
            default:
                throw new IllegalArgumentException("cannot train operator " + n.getOpType());
        }
    }

    private long[] shapeConstant(String name) {
        OnnxMl.TensorProto t = constants.get(name);
        if (t == null) {
            throw new IllegalArgumentException("Reshape needs a constant shape, '" + name + "'");
        }
        return Tensors.longs(t);
    }

    private static long[] ints(OnnxMl.NodeProto n, String attr, long[] fallback) {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(attr)) {
                long[] v = new long[a.getIntsCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = a.getInts(i);
                }
                return v;
            }
        }
        if (fallback == null) {
            throw new IllegalArgumentException(
                    n.getOpType() + " " + n.getName() + ": needs attribute '" + attr + "'");
        }
        return fallback;
    }
}
