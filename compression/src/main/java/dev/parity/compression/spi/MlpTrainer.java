package dev.parity.compression.spi;

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
}
