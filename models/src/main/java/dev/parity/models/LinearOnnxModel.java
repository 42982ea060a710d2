package dev.parity.models;

import ai.onnx.proto.OnnxMl;

/**
 * Builds a linear regression {@code y = x W + b} as an ONNX graph ({@code MatMul}, {@code Add},
 * opset 17): the bundled demo model until training lands, and the model of known weights that the
 * scoring tests compare with the closed form.
 */
public final class LinearOnnxModel {
    public static final String INPUT = "features";
    public static final String OUTPUT = "prediction";
    static final int OPSET = 17;

    private LinearOnnxModel() {}

    /** The serialised model for {@code weights.length} input features. */
    public static byte[] build(float[] weights, float bias) {
        int d = weights.length;
        OnnxMl.TensorProto.Builder w =
                OnnxMl.TensorProto.newBuilder()
                        .setName("W")
                        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .addDims(d)
                        .addDims(1);
        for (float x : weights) {
            w.addFloatData(x);
        }
        OnnxMl.TensorProto b =
                OnnxMl.TensorProto.newBuilder()
                        .setName("B")
                        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .addDims(1)
                        .addFloatData(bias)
                        .build();
        OnnxMl.GraphProto graph =
                OnnxMl.GraphProto.newBuilder()
                        .setName("linear")
                        .addInput(floatMatrix(INPUT, d))
                        .addOutput(floatMatrix(OUTPUT, 1))
                        .addInitializer(w)
                        .addInitializer(b)
                        .addNode(node("MatMul", "matmul", new String[] {INPUT, "W"}, "xw"))
                        .addNode(node("Add", "add", new String[] {"xw", "B"}, OUTPUT))
                        .build();
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("parity")
                .addOpsetImport(
                        OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build()
                .toByteArray();
    }

    static OnnxMl.NodeProto node(String op, String name, String[] inputs, String output) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(name);
        for (String in : inputs) {
            n.addInput(in);
        }
        return n.addOutput(output).build();
    }

    /** A float tensor [batch, cols] with a symbolic batch dimension. */
    public static OnnxMl.ValueInfoProto floatMatrix(String name, int cols) {
        return floatTensor(name, new long[] {-1, cols});
    }

    /** A float tensor of the given dimensions; {@code -1} is the symbolic batch dimension. */
    public static OnnxMl.ValueInfoProto floatTensor(String name, long[] dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long dim : dims) {
            OnnxMl.TensorShapeProto.Dimension.Builder d =
                    OnnxMl.TensorShapeProto.Dimension.newBuilder();
            shape.addDim(dim < 0 ? d.setDimParam("batch") : d.setDimValue(dim));
        }
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(
                        OnnxMl.TypeProto.newBuilder()
                                .setTensorType(
                                        OnnxMl.TypeProto.Tensor.newBuilder()
                                                .setElemType(
                                                        OnnxMl.TensorProto.DataType.FLOAT
                                                                .getNumber())
                                                .setShape(shape)))
                .build();
    }
}
