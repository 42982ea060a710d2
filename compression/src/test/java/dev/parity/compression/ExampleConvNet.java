package dev.parity.compression;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.onnx.GraphEditor;
import dev.parity.compression.onnx.Tensors;
import dev.parity.models.LinearOnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes the third-party-style CNN of the compression benchmark (docs/BENCHMARKS.md): image [N, 3,
 * 32, 32] -> Conv 16x3x3 (pad 1) -> Relu -> MaxPool 2 -> Flatten -> Gemm(transB) 4096 -> 256 ->
 * Relu -> MatMul 256 -> 10 -> Add, seeded random weights, no manifest.
 *
 * <pre>
 * java -cp compression/target/test-classes:compression/target/classes:$(cat jobs/target/launcher.classpath) \
 *   dev.parity.compression.ExampleConvNet out/convnet.onnx
 * </pre>
 */
public final class ExampleConvNet {
    private ExampleConvNet() {}

    public static void main(String[] args) throws Exception {
        byte[] m = build();
        Files.write(Path.of(args[0]), m);
        System.out.println("wrote " + args[0] + " (" + m.length + " bytes)");
    }

    static byte[] build() {
        SplittableRandom r = new SplittableRandom(7);
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("convnet");
        g.addInput(LinearOnnxModel.floatTensor("image", new long[] {-1, 3, 32, 32}));
        g.addOutput(LinearOnnxModel.floatTensor("logits", new long[] {-1, 10}));
        g.addInitializer(
                Tensors.floats(
                        "conv_w",
                        new long[] {16, 3, 3, 3},
                        TestingModels.random(r, 16 * 27, Math.sqrt(2.0 / 27))));
        g.addInitializer(
                Tensors.floats("conv_b", new long[] {16}, TestingModels.random(r, 16, 0.05)));
        g.addInitializer(
                Tensors.floats(
                        "fc_w",
                        new long[] {256, 4096},
                        TestingModels.random(r, 256 * 4096, Math.sqrt(2.0 / 4096))));
        g.addInitializer(
                Tensors.floats("fc_b", new long[] {256}, TestingModels.random(r, 256, 0.05)));
        g.addInitializer(
                Tensors.floats(
                        "out_w",
                        new long[] {256, 10},
                        TestingModels.random(r, 2560, Math.sqrt(1.0 / 256))));
        g.addInitializer(
                Tensors.floats("out_b", new long[] {10}, TestingModels.random(r, 10, 0.05)));
        g.addNode(
                GraphEditor.node("Conv", "conv", List.of("image", "conv_w", "conv_b"), List.of("c"))
                        .toBuilder()
                        .addAttribute(TestingModels.ints("pads", 1, 1, 1, 1))
                        .addAttribute(TestingModels.ints("kernel_shape", 3, 3))
                        .build());
        g.addNode(GraphEditor.node("Relu", "relu_c", List.of("c"), List.of("cr")));
        g.addNode(
                GraphEditor.node("MaxPool", "pool", List.of("cr"), List.of("p")).toBuilder()
                        .addAttribute(TestingModels.ints("kernel_shape", 2, 2))
                        .addAttribute(TestingModels.ints("strides", 2, 2))
                        .build());
        g.addNode(GraphEditor.node("Flatten", "flatten", List.of("p"), List.of("flat")));
        g.addNode(
                GraphEditor.node("Gemm", "fc", List.of("flat", "fc_w", "fc_b"), List.of("f"))
                        .toBuilder()
                        .addAttribute(GraphEditor.intAttr("transB", 1))
                        .build());
        g.addNode(GraphEditor.node("Relu", "relu_f", List.of("f"), List.of("fr")));
        g.addNode(GraphEditor.node("MatMul", "out", List.of("fr", "out_w"), List.of("o")));
        g.addNode(GraphEditor.node("Add", "out_bias", List.of("o", "out_b"), List.of("logits")));
        return TestingModels.model(g);
    }
}
