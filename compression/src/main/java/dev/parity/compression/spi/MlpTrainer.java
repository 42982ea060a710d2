package dev.parity.compression.spi;

import dev.parity.compression.eval.ModelInputs;
import dev.parity.models.FeatureTable;

/**
 * The training-backed steps of the compression job (fine-tuning a pruned or factorised MLP,
 * distilling a student), implemented with DJL in {@code dev.parity.compression.training}. The
 * compression methods only see ONNX bytes in and ONNX bytes out.
 *
 * <p>An "MLP" here is the graph the trainer exports: input {@code features} [N, d] float32 ->
 * imputation ({@code Where(IsNaN(x), defaults, x)}) -> standardisation ({@code Sub}, {@code Div})
 * -> per layer {@code Gemm(h, W[in,out], b[out])} followed by {@code Relu} except after the last ->
 * output {@code prediction} [N, 1].
 */
public interface MlpTrainer {
    /**
     * Fine-tunes every Gemm weight and bias of {@code onnx} on the table's TRAIN rows (early
     * stopping on VALIDATION), keeping each weight that is exactly zero at zero. Returns a model
     * with the same tensor names, shapes and preprocessing.
     */
    byte[] fineTune(byte[] onnx, FeatureTable table, int maxEpochs) throws Exception;

    /**
     * Trains a student MLP with {@code hidden} layer sizes on {@code alpha * teacher output + (1 -
     * alpha) * label} over the TRAIN rows (early stopping on VALIDATION). The student keeps the
     * teacher's input/output tensor names and shapes and its imputation and standardisation.
     */
    byte[] distill(byte[] teacherOnnx, FeatureTable table, int[] hidden, float alpha)
            throws Exception;

    /**
     * Quantisation-aware fine-tuning of {@code onnx} for static int8 (fake quantisation of every
     * Gemm's input and weight in the forward pass, straight-through gradients), on the table's
     * TRAIN rows with early stopping on VALIDATION, keeping zero weights at zero. Returns the QDQ
     * model and what the training measured.
     */
    QuantizationAware quantizationAware(byte[] onnx, FeatureTable table, int maxEpochs)
            throws Exception;

    /** The result of {@link #quantizationAware}. */
    final class QuantizationAware {
        /** The QDQ model (int8 weights per channel, uint8 activations, int32 biases). */
        public final byte[] int8Onnx;

        /** Each quantised activation's range [lo, hi], by tensor name, as learned. */
        public final java.util.Map<String, float[]> ranges;

        public final int bestEpoch;
        public final int epochs;

        /** The quantised model's VALIDATION MAE at the best epoch (DJL's). */
        public final double validationMae;

        /** ONNX Runtime's int8 model vs the quantised DJL model on the VALIDATION rows. */
        public final double maxAbsDiff;

        public final double meanAbsDiff;

        public QuantizationAware(
                byte[] int8Onnx,
                java.util.Map<String, float[]> ranges,
                int bestEpoch,
                int epochs,
                double validationMae,
                double maxAbsDiff,
                double meanAbsDiff) {
            this.int8Onnx = int8Onnx;
            this.ranges = ranges;
            this.bestEpoch = bestEpoch;
            this.epochs = epochs;
            this.validationMae = validationMae;
            this.maxAbsDiff = maxAbsDiff;
            this.meanAbsDiff = meanAbsDiff;
        }
    }

    /**
     * Fine-tunes {@code student} (a rewritten copy of {@code teacher}, e.g. a factorised CNN) to
     * reproduce the teacher's outputs on batches of {@code inputs}, for models without labelled
     * data. Returns the student with trained Conv/Gemm weights and biases, same names and shapes.
     */
    Matched matchTeacher(byte[] teacher, byte[] student, ModelInputs inputs, int steps)
            throws Exception;

    /** The result of {@link #matchTeacher}. */
    final class Matched {
        public final byte[] onnx;

        /** mean |student - teacher| / mean |teacher| on held-out inputs, before and after. */
        public final double before;

        public final double after;

        public final int bestStep;

        public Matched(byte[] onnx, double before, double after, int bestStep) {
            this.onnx = onnx;
            this.before = before;
            this.after = after;
            this.bestStep = bestStep;
        }
    }
}
