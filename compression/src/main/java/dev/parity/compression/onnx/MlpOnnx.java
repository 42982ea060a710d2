package dev.parity.compression.onnx;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds an MLP in the graph form {@link dev.parity.compression.spi.MlpTrainer} exports: {@code
 * features} [N, d] -> {@code Where(IsNaN(x), defaults, x)} -> {@code Sub(mean)} -> {@code Div(std)}
 * -> {@code Gemm(W[in,out], b)} + {@code Relu} per hidden layer -> {@code Gemm} -> {@code
 * prediction} [N, 1]. Used by the tests and to make example models of a chosen size.
 *
 * <pre>{@code
 * byte[] onnx = MlpOnnx.build(defaults, mean, std, MlpOnnx.randomLayers(9, new int[] {64, 64}, 1, 42));
 * }</pre>
 */
public final class MlpOnnx {
    public static final String INPUT = "features";
    public static final String OUTPUT = "prediction";

    private MlpOnnx() {}

    /** One dense layer: W as row-major [in, out], b [out]. */
    public static final class Layer {
        public final int in;
        public final int out;
        public final float[] w;
        public final float[] b;

        public Layer(int in, int out, float[] w, float[] b) {
            if (w.length != in * out || b.length != out) {
                throw new IllegalArgumentException("layer shapes do not match " + in + "x" + out);
            }
            this.in = in;
            this.out = out;
            this.w = w;
            this.b = b;
        }
    }

    /** He-initialised layers with seeded Gaussian weights and small biases. */
    public static List<Layer> randomLayers(int inputs, int[] hidden, int outputs, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Layer> layers = new ArrayList<>();
        int in = inputs;
        for (int i = 0; i <= hidden.length; i++) {
            int out = i < hidden.length ? hidden[i] : outputs;
            float[] w = new float[in * out];
            double std = Math.sqrt(2.0 / in);
            for (int j = 0; j < w.length; j++) {
                w[j] = (float) (gaussian(r) * std);
            }
            float[] b = new float[out];
            for (int j = 0; j < out; j++) {
                b[j] = (float) (gaussian(r) * 0.1);
            }
            layers.add(new Layer(in, out, w, b));
            in = out;
        }
        return layers;
    }

    public static byte[] build(float[] defaults, float[] mean, float[] std, List<Layer> layers) {
        int d = defaults.length;
        if (mean.length != d || std.length != d || layers.get(0).in != d) {
            throw new IllegalArgumentException("preprocessing and first layer must have " + d);
        }
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("mlp");
        g.addInput(matrix(INPUT, d));
        g.addOutput(matrix(OUTPUT, layers.get(layers.size() - 1).out));
        g.addInitializer(Tensors.floats("defaults", new long[] {d}, defaults));
        g.addInitializer(Tensors.floats("mean", new long[] {d}, mean));
        g.addInitializer(Tensors.floats("std", new long[] {d}, std));
        g.addNode(GraphEditor.node("IsNaN", "isnan", List.of(INPUT), List.of("missing")));
        g.addNode(
                GraphEditor.node(
                        "Where",
                        "impute",
                        List.of("missing", "defaults", INPUT),
                        List.of("imputed")));
        g.addNode(
                GraphEditor.node("Sub", "center", List.of("imputed", "mean"), List.of("centered")));
        g.addNode(GraphEditor.node("Div", "scale", List.of("centered", "std"), List.of("h0")));
        String h = "h0";
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            String w = "W" + i;
            String b = "b" + i;
            g.addInitializer(Tensors.floats(w, new long[] {l.in, l.out}, l.w));
            g.addInitializer(Tensors.floats(b, new long[] {l.out}, l.b));
            boolean last = i == layers.size() - 1;
            String z = last ? OUTPUT : "z" + (i + 1);
            g.addNode(GraphEditor.node("Gemm", "gemm" + i, List.of(h, w, b), List.of(z)));
            if (!last) {
                h = "h" + (i + 1);
                g.addNode(GraphEditor.node("Relu", "relu" + i, List.of(z), List.of(h)));
            }
        }
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("parity")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g)
                .build()
                .toByteArray();
    }

    /** A float tensor [batch, cols] with a symbolic batch dimension. */
    public static OnnxMl.ValueInfoProto matrix(String name, int cols) {
        return tensorInfo(name, new long[] {-1, cols});
    }

    /** A float tensor info; {@code -1} dimensions are symbolic. */
    public static OnnxMl.ValueInfoProto tensorInfo(String name, long[] dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long dim : dims) {
            OnnxMl.TensorShapeProto.Dimension.Builder b =
                    OnnxMl.TensorShapeProto.Dimension.newBuilder();
            shape.addDim(dim < 0 ? b.setDimParam("batch") : b.setDimValue(dim));
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

    private static double gaussian(SplittableRandom r) {
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
