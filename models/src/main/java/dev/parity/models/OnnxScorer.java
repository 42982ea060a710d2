package dev.parity.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * One ONNX Runtime session for a model, scoring micro-batches of rows through a reused direct
 * buffer (multidimensional Java arrays are slow). Every tensor and result is closed; {@link
 * #close()} closes the session. Not thread-safe: one per operator subtask.
 *
 * <pre>{@code
 * try (OnnxScorer s = OnnxScorer.open(bytes, "features", "prediction", 9, 256, 1, OptLevel.ALL_OPT)) {
 *     FloatBuffer in = s.inputBuffer();      // write rows * 9 floats
 *     float[] out = new float[rows];
 *     s.score(rows, out);
 * }
 * }</pre>
 */
public final class OnnxScorer implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;
    private final String outputName;
    private final int arity;
    private final int maxBatch;
    private final FloatBuffer input;

    private OnnxScorer(
            OrtEnvironment env,
            OrtSession session,
            String inputName,
            String outputName,
            int arity,
            int maxBatch) {
        this.env = env;
        this.session = session;
        this.inputName = inputName;
        this.outputName = outputName;
        this.arity = arity;
        this.maxBatch = maxBatch;
        this.input =
                ByteBuffer.allocateDirect(Float.BYTES * arity * maxBatch)
                        .order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
    }

    /**
     * Opens a session from model bytes.
     *
     * @param intraOpThreads ONNX Runtime intra-op threads (1 suits one session per Flink slot)
     */
    public static OnnxScorer open(
            byte[] model,
            String inputName,
            String outputName,
            int arity,
            int maxBatch,
            int intraOpThreads,
            OrtSession.SessionOptions.OptLevel optLevel)
            throws OrtException {
        if (arity < 1 || maxBatch < 1 || intraOpThreads < 1) {
            throw new IllegalArgumentException(
                    "arity, maxBatch and intraOpThreads must be positive, got "
                            + arity
                            + ", "
                            + maxBatch
                            + ", "
                            + intraOpThreads);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(optLevel);
            OrtSession session = env.createSession(model, options);
            java.util.Set<String> inputs;
            java.util.Set<String> outputs;
            try {
                inputs = session.getInputNames();
                outputs = session.getOutputNames();
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
            if (!inputs.contains(inputName) || !outputs.contains(outputName)) {
                session.close();
                throw new IllegalArgumentException(
                        !inputs.contains(inputName)
                                ? "input '" + inputName + "' not in the model; inputs are " + inputs
                                : "output '"
                                        + outputName
                                        + "' not in the model; outputs are "
                                        + outputs);
            }
            return new OnnxScorer(env, session, inputName, outputName, arity, maxBatch);
        }
    }

    public int arity() {
        return arity;
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** The reused input buffer, cleared: write {@code rows * arity} floats, row-major. */
    public FloatBuffer inputBuffer() {
        input.clear();
        return input;
    }

    /** The input buffer positioned at row {@code row}, for writing rows one at a time. */
    public FloatBuffer inputBufferAt(int row) {
        input.limit(input.capacity());
        input.position(row * arity);
        return input;
    }

    /** Runs the model once on the first {@code rows} rows of the input buffer. */
    public void score(int rows, float[] out) throws OrtException {
        if (rows < 1 || rows > maxBatch) {
            throw new IllegalArgumentException("rows must be in 1.." + maxBatch + ", got " + rows);
        }
        FloatBuffer view = input.duplicate();
        view.position(0).limit(rows * arity);
        try (OnnxTensor tensor =
                        OnnxTensor.createTensor(env, view.slice(), new long[] {rows, arity});
                OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            OnnxTensor y =
                    (OnnxTensor)
                            result.get(outputName)
                                    .orElseThrow(
                                            () ->
                                                    new IllegalStateException(
                                                            "no output '" + outputName + "'"));
            FloatBuffer values = y.getFloatBuffer();
            if (values.remaining() != rows) {
                throw new IllegalStateException(
                        "output '"
                                + outputName
                                + "' has "
                                + values.remaining()
                                + " values for "
                                + rows
                                + " rows");
            }
            values.get(out, 0, rows);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
