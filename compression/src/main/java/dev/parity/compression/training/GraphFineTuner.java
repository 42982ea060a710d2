package dev.parity.compression.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import dev.parity.compression.eval.ModelInputs;
import dev.parity.compression.eval.OrtModel;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Fine-tunes a rewritten copy of a model (a factorised CNN) to reproduce its original's outputs,
 * for models without labelled training data: the student's Conv and Gemm weights and biases ({@link
 * OnnxGraphBlock}) are trained with Adam on the squared difference to the teacher's outputs (ONNX
 * Runtime) over batches of the given inputs, keeping the step with the smallest relative difference
 * on a held-out batch. The trained weights are written back into the student's initializers (same
 * names and shapes) and the result checked in ONNX Runtime against DJL.
 *
 * <p>Batches are numbered apart from those the compression job evaluates on (from 0), calibrates on
 * (from 2^20) and probes mixed precision on (2^21), so the report's agreement is measured on inputs
 * the fine-tuning never saw.
 */
final class GraphFineTuner {
    private static final int TRAIN_SEEDS = 1 << 22;
    private static final int HELD_OUT_SEED = (1 << 22) - 1;
    private static final int EVAL_EVERY = 25;

    private final int batchSize;
    private final float learningRate;
    private final PrintStream log;

    GraphFineTuner(int batchSize, float learningRate, PrintStream log) {
        this.batchSize = batchSize;
        this.learningRate = learningRate;
        this.log = log;
    }

    /** The outcome: the student's bytes and its held-out relative difference before and after. */
    static final class Result {
        final byte[] onnx;
        final double before;
        final double after;
        final int bestStep;

        Result(byte[] onnx, double before, double after, int bestStep) {
            this.onnx = onnx;
            this.before = before;
            this.after = after;
            this.bestStep = bestStep;
        }
    }

    Result fit(byte[] teacherOnnx, byte[] studentOnnx, ModelInputs inputs, int steps)
            throws Exception {
        if (inputs.specs().size() != 1) {
            throw new IllegalArgumentException("fine-tuning a graph needs one input");
        }
        String input = inputs.specs().get(0).name;
        OnnxMl.ModelProto student = OnnxMl.ModelProto.parseFrom(studentOnnx);
        DjlRuntime.checkConvolution();
        OnnxGraphBlock block = new OnnxGraphBlock(student);
        ModelInputs.Batch heldOut = inputs.batch(inputs.fromData() ? 0 : HELD_OUT_SEED, 256);
        try (OrtModel teacher = OrtModel.open(teacherOnnx);
                Model model =
                        Model.newInstance("graph", Engine.getEngine("PyTorch").getEngineName())) {
            String output = teacher.floatOutputs().get(0);
            float[] heldOutTarget = teacher.run(heldOut).get(output);
            model.setBlock(block);
            float[] lr = {learningRate};
            // the loss is on outputs divided by their typical magnitude, and gradients are
            // clipped: a CNN's outputs of ~10 made the raw squared error diverge to NaN
            float scale = (float) Math.max(1e-6, meanAbs(heldOutTarget));
            Optimizer adam =
                    Optimizer.adam()
                            .optLearningRateTracker((id, t) -> lr[0])
                            .optClipGrad(1f)
                            .build();
            try (Trainer trainer =
                    model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(adam))) {
                trainer.initialize(new Shape(heldOut.shapes.get(input)));
                block.loadInitializers();
                float[] atStart = predict(trainer, model, heldOut, input);
                // before any training, DJL must compute what ONNX Runtime computes on the student
                requireAgreement(atStart, studentOnnx, heldOut, "before fine-tuning");
                double before = relative(atStart, heldOutTarget);
                double best = before;
                int bestStep = 0;
                Map<String, float[]> bestWeights = weights(block);
                int skipped = 0;
                say("fine-tune to teacher: held-out relative difference %.4f at start", before);
                for (int step = 1; step <= steps; step++) {
                    int rows =
                            inputs.fromData()
                                    ? Math.min(batchSize, inputs.availableRows())
                                    : batchSize;
                    int start =
                            inputs.fromData()
                                    ? (step * rows) % Math.max(1, inputs.availableRows() - rows)
                                    : TRAIN_SEEDS + step;
                    ModelInputs.Batch b = inputs.batch(start, rows);
                    float[] target = teacher.run(b).get(output);
                    try (NDManager m = model.getNDManager().newSubManager()) {
                        NDArray x = m.create(b.values.get(input), new Shape(b.shapes.get(input)));
                        // every array of the pass belongs to this batch's manager (OnnxGraphBlock
                        // attaches what it derives from a weight to it)
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray pred =
                                    trainer.forward(new NDList(x)).singletonOrThrow().div(scale);
                            NDArray y = m.create(target, pred.getShape()).div(scale);
                            NDArray loss =
                                    trainer.getLoss().evaluate(new NDList(y), new NDList(pred));
                            if (!Float.isFinite(loss.getFloat())) {
                                skipped++;
                                continue; // a step on a non-finite loss would poison every weight
                            }
                            gc.backward(loss);
                        }
                        trainer.step();
                    }
                    if (step % EVAL_EVERY == 0 || step == steps) {
                        double now =
                                relative(predict(trainer, model, heldOut, input), heldOutTarget);
                        if (Double.isNaN(now)) {
                            say(
                                    "fine-tune step %d/%d: diverged, keeping step %d",
                                    step, steps, bestStep);
                            break;
                        }
                        if (now < best) {
                            best = now;
                            bestStep = step;
                            bestWeights = weights(block);
                        } else {
                            lr[0] /= 2;
                        }
                        say(
                                "fine-tune step %d/%d: held-out relative difference %.4f",
                                step, steps, now);
                    }
                }
                if (skipped > 0) {
                    say("fine-tune: %d of %d steps skipped (non-finite loss)", skipped, steps);
                }
                byte[] out = write(student, bestWeights);
                requireAgreement(
                        freshPrediction(out, heldOut, input), out, heldOut, "after fine-tuning");
                return new Result(out, before, best, bestStep);
            }
        }
    }

    private static double meanAbs(float[] v) {
        double s = 0;
        for (float x : v) {
            s += Math.abs(x);
        }
        return s / Math.max(1, v.length);
    }

    /** mean |student - teacher| / mean |teacher|, the student run by DJL. */
    private static double relative(float[] pred, float[] target) {
        double diff = 0;
        double mag = 0;
        for (int i = 0; i < target.length; i++) {
            diff += Math.abs(pred[i] - target[i]);
            mag += Math.abs(target[i]);
        }
        return mag == 0 ? diff : diff / mag;
    }

    private static float[] predict(
            Trainer trainer, Model model, ModelInputs.Batch b, String input) {
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = m.create(b.values.get(input), new Shape(b.shapes.get(input)));
            return trainer.evaluate(new NDList(x)).singletonOrThrow().toFloatArray();
        }
    }

    private static Map<String, float[]> weights(OnnxGraphBlock block) {
        Map<String, float[]> w = new HashMap<>();
        for (String name : block.trainable().keySet()) {
            w.put(name, block.parameter(name).getArray().toFloatArray());
        }
        return w;
    }

    private static byte[] write(OnnxMl.ModelProto student, Map<String, float[]> weights) {
        OnnxMl.ModelProto.Builder m = student.toBuilder();
        OnnxMl.GraphProto.Builder g = m.getGraphBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            float[] w = weights.get(g.getInitializer(i).getName());
            if (w == null) {
                continue;
            }
            ByteBuffer buf =
                    ByteBuffer.allocate(w.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(w);
            g.setInitializer(
                    i,
                    g.getInitializer(i).toBuilder()
                            .clearFloatData()
                            .setRawData(ByteString.copyFrom(buf.array())));
        }
        return m.build().toByteArray();
    }

    /**
     * DJL's output on {@code b} of a fresh block read from {@code onnx}, so that what is checked
     * after fine-tuning is what was written.
     */
    private static float[] freshPrediction(byte[] onnx, ModelInputs.Batch b, String input)
            throws Exception {
        OnnxGraphBlock block = new OnnxGraphBlock(OnnxMl.ModelProto.parseFrom(onnx));
        try (Model model =
                Model.newInstance("check", Engine.getEngine("PyTorch").getEngineName())) {
            model.setBlock(block);
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss()))) {
                trainer.initialize(new Shape(b.shapes.get(input)));
                block.loadInitializers();
                return predict(trainer, model, b, input);
            }
        }
    }

    /** ONNX Runtime's output of {@code onnx} on {@code b} is DJL's {@code djl}. */
    private static void requireAgreement(float[] djl, byte[] onnx, ModelInputs.Batch b, String when)
            throws Exception {
        float[] ort;
        try (OrtModel m = OrtModel.open(onnx)) {
            ort = m.run(b).get(m.floatOutputs().get(0));
        }
        double mag = 0;
        double worst = 0;
        for (int i = 0; i < djl.length; i++) {
            mag += Math.abs(ort[i]);
            worst = Math.max(worst, Math.abs(ort[i] - djl[i]));
        }
        mag /= Math.max(1, djl.length);
        if (!(worst <= 1e-3 * Math.max(1, mag))) {
            throw new IllegalStateException(
                    String.format(
                            Locale.ROOT,
                            "the graph disagrees between ONNX Runtime and DJL %s: max |diff|"
                                    + " %.3g (mean |output| %.3g)",
                            when,
                            worst,
                            mag));
        }
    }

    private void say(String format, Object... args) {
        if (log != null) {
            log.printf(Locale.ROOT, format + "%n", args);
            log.flush();
        }
    }
}
