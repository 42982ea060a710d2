package dev.parity.compression;

import dev.parity.compression.onnx.MlpOnnx;
import dev.parity.compression.spi.MlpTrainer;
import dev.parity.models.FeatureTable;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in trainer: fine-tuning returns the model unchanged, distilling returns a seeded random
 * MLP of the asked size with the test preprocessing. Records its calls.
 */
final class TestingTrainer implements MlpTrainer {
    final List<String> calls = new ArrayList<>();

    @Override
    public byte[] fineTune(byte[] onnx, FeatureTable table, int maxEpochs) {
        calls.add("fineTune " + table.rows() + " rows, " + maxEpochs + " epochs");
        return onnx.clone();
    }

    @Override
    public byte[] distill(byte[] teacherOnnx, FeatureTable table, int[] hidden, float alpha) {
        calls.add("distill " + java.util.Arrays.toString(hidden) + " alpha " + alpha);
        return MlpOnnx.build(
                TestingModels.DEFAULTS,
                TestingModels.MEAN,
                TestingModels.STD,
                MlpOnnx.randomLayers(9, hidden, 1, 17));
    }

    @Override
    public QuantizationAware quantizationAware(byte[] onnx, FeatureTable table, int maxEpochs) {
        throw new UnsupportedOperationException(
                "quantisation-aware training is DjlMlpTrainer's (QatMethodTest)");
    }

    @Override
    public Matched matchTeacher(
            byte[] teacher,
            byte[] student,
            dev.parity.compression.eval.ModelInputs inputs,
            int steps) {
        calls.add("matchTeacher " + steps + " steps");
        return new Matched(student.clone(), 0.1, 0.1, 0);
    }
}
