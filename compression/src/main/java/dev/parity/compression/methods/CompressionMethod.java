package dev.parity.compression.methods;

import java.util.List;

/**
 * A compression method: teacher ONNX in, zero or more variants out. Methods only rewrite graphs (or
 * call the {@link dev.parity.compression.spi.MlpTrainer}); evaluation, checks and registration are
 * the job's.
 */
public interface CompressionMethod {
    /** The name used on the command line ({@code --methods}) and in the report. */
    String name();

    /**
     * @throws MethodSkippedException when the method cannot run here; the report says why
     */
    List<Variant> apply(MethodContext ctx) throws Exception;
}
