package dev.parity.compression;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.onnx.GraphEditor;
import dev.parity.compression.onnx.MlpOnnx;
import dev.parity.compression.onnx.Tensors;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.models.LinearOnnxModel;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import java.util.List;
import java.util.SplittableRandom;

/** Models built in the tests: a flights MLP with a manifest and a third-party Conv/Gemm model. */
public final class TestingModels {
    public static final ModelContract CONTRACT =
            ModelContract.of(SpecPlan.of(BundledSpec.flights()));
    static final float[] DEFAULTS = {736f, 13.5f, 4f, 18f, 16f, 15f, 12f, 13f, 14f};
    static final float[] MEAN = {736f, 13.5f, 4f, 18f, 16f, 15f, 12f, 13f, 14f};
    static final float[] STD = {500f, 5f, 2f, 12f, 11f, 20f, 25f, 15f, 8f};

    private TestingModels() {}

    public static byte[] mlp(int... hidden) {
        return MlpOnnx.build(DEFAULTS, MEAN, STD, MlpOnnx.randomLayers(9, hidden, 1, 42));
    }

    public static ModelManifest manifestFor(byte[] onnx) {
        ModelManifest m = new ModelManifest();
        m.name = "flights-mlp";
        m.version = "1";
        m.sha256 = ModelGate.sha256(onnx);
        m.featureSet = new ModelManifest.FeatureSetRef(CONTRACT.name(), CONTRACT.fingerprint());
        List<String> cols = CONTRACT.inputColumns();
        for (int j = 0; j < cols.size(); j++) {
            m.inputs.add(new ModelManifest.Input(cols.get(j), DEFAULTS[j]));
        }
        m.inputTensor = new ModelManifest.TensorSpec(MlpOnnx.INPUT, List.of(-1L, 9L));
        m.outputTensor = new ModelManifest.TensorSpec(MlpOnnx.OUTPUT, List.of(-1L, 1L));
        m.task = "regression";
        return m;
    }

    /**
     * A third-party-style model: image [N, 3, 8, 8] -> Conv(8 filters, 3x3, pad 1) -> Relu ->
     * Flatten -> Gemm(transB=1, 512 -> 64) -> Relu -> MatMul(64 -> 10) -> Add -> logits [N, 10].
     */
    static byte[] convNet() {
        SplittableRandom r = new SplittableRandom(7);
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("convnet");
        g.addInput(LinearOnnxModel.floatTensor("image", new long[] {-1, 3, 8, 8}));
        g.addOutput(LinearOnnxModel.floatTensor("logits", new long[] {-1, 10}));
        g.addInitializer(Tensors.floats("conv_w", new long[] {8, 3, 3, 3}, random(r, 8 * 27, 0.3)));
        g.addInitializer(Tensors.floats("conv_b", new long[] {8}, random(r, 8, 0.1)));
        g.addInitializer(Tensors.floats("fc_w", new long[] {64, 512}, random(r, 64 * 512, 0.06)));
        g.addInitializer(Tensors.floats("fc_b", new long[] {64}, random(r, 64, 0.1)));
        g.addInitializer(Tensors.floats("out_w", new long[] {64, 10}, random(r, 640, 0.2)));
        g.addInitializer(Tensors.floats("out_b", new long[] {10}, random(r, 10, 0.1)));
        g.addNode(
                GraphEditor.node("Conv", "conv", List.of("image", "conv_w", "conv_b"), List.of("c"))
                        .toBuilder()
                        .addAttribute(ints("pads", 1, 1, 1, 1))
                        .addAttribute(ints("kernel_shape", 3, 3))
                        .build());
        g.addNode(GraphEditor.node("Relu", "relu_c", List.of("c"), List.of("cr")));
        g.addNode(GraphEditor.node("Flatten", "flatten", List.of("cr"), List.of("flat")));
        g.addNode(
                GraphEditor.node("Gemm", "fc", List.of("flat", "fc_w", "fc_b"), List.of("f"))
                        .toBuilder()
                        .addAttribute(GraphEditor.intAttr("transB", 1))
                        .build());
        g.addNode(GraphEditor.node("Relu", "relu_f", List.of("f"), List.of("fr")));
        g.addNode(GraphEditor.node("MatMul", "out", List.of("fr", "out_w"), List.of("o")));
        g.addNode(GraphEditor.node("Add", "out_bias", List.of("o", "out_b"), List.of("logits")));
        return model(g);
    }

    /**
     * The shape of the speech-embedding CNN of docs/BENCHMARKS.md, small: frames [N, 12, 8, 1] ->
     * Reshape [N, 1, 12, 8] -> (Conv -> LeakyRelu(0.2) -> Max(-0.4)) x 2 with a MaxPool between ->
     * Conv 1x1 -> Reshape -> embedding [N, 1, 1, 4 * 6 * 4].
     */
    public static byte[] speechCnn() {
        SplittableRandom r = new SplittableRandom(11);
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("speech_cnn");
        g.addInput(LinearOnnxModel.floatTensor("frames", new long[] {-1, 12, 8, 1}));
        g.addOutput(LinearOnnxModel.floatTensor("embedding", new long[] {-1, 1, 1, 96}));
        g.addInitializer(Tensors.int64("shape_in", new long[] {4}, new long[] {-1, 1, 12, 8}));
        g.addInitializer(Tensors.int64("shape_out", new long[] {4}, new long[] {-1, 1, 1, 96}));
        g.addInitializer(Tensors.floats("floor", new long[] {1, 1, 1, 1}, new float[] {-0.4f}));
        g.addInitializer(Tensors.floats("w1", new long[] {8, 1, 3, 3}, random(r, 72, 0.5)));
        g.addInitializer(Tensors.floats("b1", new long[] {8}, random(r, 8, 0.1)));
        g.addInitializer(Tensors.floats("w2", new long[] {8, 8, 3, 1}, random(r, 192, 0.2)));
        g.addInitializer(Tensors.floats("b2", new long[] {8}, random(r, 8, 0.1)));
        g.addInitializer(Tensors.floats("w3", new long[] {4, 8, 1, 1}, random(r, 32, 0.3)));
        g.addNode(
                GraphEditor.node(
                        "Reshape", "reshape_in", List.of("frames", "shape_in"), List.of("x")));
        String in = "x";
        for (int layer = 1; layer <= 2; layer++) {
            OnnxMl.NodeProto.Builder conv =
                    GraphEditor.node(
                            "Conv",
                            "conv" + layer,
                            List.of(in, "w" + layer, "b" + layer),
                            List.of("c" + layer))
                            .toBuilder();
            if (layer == 1) {
                conv.addAttribute(ints("pads", 1, 1, 1, 1))
                        .addAttribute(ints("kernel_shape", 3, 3));
            } else {
                conv.addAttribute(ints("pads", 1, 0, 1, 0))
                        .addAttribute(ints("kernel_shape", 3, 1));
            }
            g.addNode(conv.build());
            g.addNode(
                    GraphEditor.node(
                                    "LeakyRelu",
                                    "leaky" + layer,
                                    List.of("c" + layer),
                                    List.of("l" + layer))
                            .toBuilder()
                            .addAttribute(GraphEditor.floatAttr("alpha", 0.2f))
                            .build());
            g.addNode(
                    GraphEditor.node(
                            "Max",
                            "max" + layer,
                            List.of("l" + layer, "floor"),
                            List.of("m" + layer)));
            in = "m" + layer;
            if (layer == 1) {
                g.addNode(
                        GraphEditor.node("MaxPool", "pool", List.of(in), List.of("p")).toBuilder()
                                .addAttribute(ints("kernel_shape", 2, 2))
                                .addAttribute(ints("strides", 2, 2))
                                .build());
                in = "p";
            }
        }
        g.addNode(GraphEditor.node("Conv", "conv3", List.of(in, "w3"), List.of("c3")));
        g.addNode(
                GraphEditor.node(
                        "Reshape",
                        "reshape_out",
                        List.of("c3", "shape_out"),
                        List.of("embedding")));
        return model(g);
    }

    /**
     * image [N, 3, 8, 8] -> Conv 16x3x3x3 (pad 1) whose kernel is separable by construction (W[o,
     * i] = a[o, i] f_i) -> logits [N, 16, 8, 8]: rank 1 per input channel is exact.
     */
    static byte[] separableConv() {
        SplittableRandom r = new SplittableRandom(5);
        float[] a = random(r, 16 * 3, 0.5);
        float[] f = random(r, 3 * 9, 0.5);
        float[] w = new float[16 * 3 * 9];
        for (int o = 0; o < 16; o++) {
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 9; k++) {
                    w[(o * 3 + i) * 9 + k] = a[o * 3 + i] * f[i * 9 + k];
                }
            }
        }
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("separable");
        g.addInput(LinearOnnxModel.floatTensor("image", new long[] {-1, 3, 8, 8}));
        g.addOutput(LinearOnnxModel.floatTensor("logits", new long[] {-1, 16, 8, 8}));
        g.addInitializer(Tensors.floats("w", new long[] {16, 3, 3, 3}, w));
        g.addInitializer(Tensors.floats("b", new long[] {16}, random(r, 16, 0.1)));
        g.addNode(
                GraphEditor.node("Conv", "conv", List.of("image", "w", "b"), List.of("logits"))
                        .toBuilder()
                        .addAttribute(ints("pads", 1, 1, 1, 1))
                        .addAttribute(ints("kernel_shape", 3, 3))
                        .build());
        return model(g);
    }

    static byte[] model(OnnxMl.GraphProto.Builder g) {
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("somebody-else")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g)
                .build()
                .toByteArray();
    }

    static float[] random(SplittableRandom r, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * std * Math.sqrt(3));
        }
        return v;
    }

    static OnnxMl.AttributeProto ints(String name, long... values) {
        OnnxMl.AttributeProto.Builder a =
                OnnxMl.AttributeProto.newBuilder()
                        .setName(name)
                        .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** x [N, 16] -> Gemm(16 -> 32) -> If(constant true: Identity, else Relu) -> out [N, 32]. */
    static byte[] withIf() {
        SplittableRandom r = new SplittableRandom(3);
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("with_if");
        g.addInput(LinearOnnxModel.floatTensor("x", new long[] {-1, 16}));
        g.addOutput(LinearOnnxModel.floatTensor("out", new long[] {-1, 32}));
        g.addInitializer(Tensors.floats("w", new long[] {16, 32}, random(r, 512, 0.3)));
        g.addInitializer(Tensors.floats("b", new long[] {32}, random(r, 32, 0.1)));
        g.addInitializer(
                OnnxMl.TensorProto.newBuilder()
                        .setName("cond")
                        .setDataType(OnnxMl.TensorProto.DataType.BOOL.getNumber())
                        .addInt32Data(1)
                        .build());
        g.addNode(GraphEditor.node("Gemm", "fc", List.of("x", "w", "b"), List.of("y")));
        OnnxMl.GraphProto then =
                OnnxMl.GraphProto.newBuilder()
                        .setName("then")
                        .addNode(GraphEditor.node("Identity", "keep", List.of("y"), List.of("t")))
                        .addOutput(LinearOnnxModel.floatTensor("t", new long[] {-1, 32}))
                        .build();
        OnnxMl.GraphProto otherwise =
                OnnxMl.GraphProto.newBuilder()
                        .setName("else")
                        .addNode(GraphEditor.node("Relu", "relu", List.of("y"), List.of("e")))
                        .addOutput(LinearOnnxModel.floatTensor("e", new long[] {-1, 32}))
                        .build();
        g.addNode(
                GraphEditor.node("If", "branch", List.of("cond"), List.of("out")).toBuilder()
                        .addAttribute(graphAttr("then_branch", then))
                        .addAttribute(graphAttr("else_branch", otherwise))
                        .build());
        return model(g);
    }

    static OnnxMl.AttributeProto graphAttr(String name, OnnxMl.GraphProto g) {
        return OnnxMl.AttributeProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.GRAPH)
                .setG(g)
                .build();
    }
}
