package dev.parity.compression;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.eval.ModelInputs;
import dev.parity.compression.eval.OrtModel;
import dev.parity.compression.methods.MethodContext;
import dev.parity.compression.onnx.Tensors;
import dev.parity.models.ModelGate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Running models and comparing outputs in the tests (real ONNX Runtime). */
final class Support {
    private Support() {}

    static MethodContext context(byte[] teacher, ModelInputs inputs) throws Exception {
        return new MethodContext(teacher, OnnxMl.ModelProto.parseFrom(teacher), null, null, inputs);
    }

    static ModelInputs flightsInputs() {
        float[] spread = new float[9];
        for (int j = 0; j < 9; j++) {
            spread[j] = TestingModels.STD[j];
        }
        return ModelInputs.generatedAround("features", TestingModels.MEAN, spread, 5);
    }

    static ModelInputs imageInputs() {
        return ModelInputs.generated(
                List.of(new ModelInputs.Spec("image", new long[] {-1, 3, 8, 8})), 5);
    }

    /** {max |a - b|, max |a|, mean |a - b|, mean |a|} over all outputs of a 256-row batch. */
    static double[] compare(byte[] teacher, byte[] variant, ModelInputs inputs) throws Exception {
        ModelInputs.Batch b = inputs.batch(0, 256);
        try (OrtModel t = OrtModel.open(teacher);
                OrtModel v = OrtModel.open(variant)) {
            Map<String, float[]> a = t.run(b);
            Map<String, float[]> c = v.run(b);
            assertThat(c.keySet()).isEqualTo(a.keySet());
            double diff = 0;
            double scale = 0;
            double sumDiff = 0;
            double sumAbs = 0;
            long n = 0;
            for (String k : a.keySet()) {
                assertThat(c.get(k)).hasSameSizeAs(a.get(k));
                for (int i = 0; i < a.get(k).length; i++) {
                    diff = Math.max(diff, Math.abs(a.get(k)[i] - c.get(k)[i]));
                    scale = Math.max(scale, Math.abs(a.get(k)[i]));
                    sumDiff += Math.abs(a.get(k)[i] - c.get(k)[i]);
                    sumAbs += Math.abs(a.get(k)[i]);
                    n++;
                }
            }
            return new double[] {diff, scale, sumDiff / n, sumAbs / n};
        }
    }

    static ModelInputs speechInputs() {
        return ModelInputs.generated(
                List.of(new ModelInputs.Spec("frames", new long[] {-1, 12, 8, 1})), 5);
    }

    /** Operator counts of the graph ONNX Runtime runs after its optimisations (all levels). */
    static Map<String, Integer> optimizedOpCounts(byte[] onnx) throws Exception {
        java.nio.file.Path out = java.nio.file.Files.createTempFile("optimized", ".onnx");
        try {
            ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
            try (ai.onnxruntime.OrtSession.SessionOptions o =
                    new ai.onnxruntime.OrtSession.SessionOptions()) {
                o.setOptimizationLevel(
                        ai.onnxruntime.OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
                o.setOptimizedModelFilePath(out.toString());
                env.createSession(onnx, o).close();
            }
            return opCounts(java.nio.file.Files.readAllBytes(out));
        } finally {
            java.nio.file.Files.deleteIfExists(out);
        }
    }

    /** Passes the default bad-model gate (size, external data, operator allow-list). */
    static void assertPassesGate(byte[] onnx) {
        ModelGate.builder().build().checkFile("variant", onnx);
    }

    static Map<String, Integer> opCounts(byte[] onnx) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (OnnxMl.NodeProto n : OnnxMl.ModelProto.parseFrom(onnx).getGraph().getNodeList()) {
            counts.merge(n.getOpType(), 1, Integer::sum);
        }
        return counts;
    }

    static OnnxMl.TensorProto initializer(byte[] onnx, String name) throws Exception {
        for (OnnxMl.TensorProto t :
                OnnxMl.ModelProto.parseFrom(onnx).getGraph().getInitializerList()) {
            if (t.getName().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no initializer " + name);
    }

    static long parameters(byte[] onnx) throws Exception {
        long n = 0;
        for (OnnxMl.TensorProto t :
                OnnxMl.ModelProto.parseFrom(onnx).getGraph().getInitializerList()) {
            n += Tensors.numel(t);
        }
        return n;
    }
}
