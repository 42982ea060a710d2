package dev.parity.compression.eval;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ONNX Runtime session with the options every model in a comparison shares (one intra-op
 * thread, all graph optimisations), so teacher and variants are measured alike. Inputs go in
 * through direct buffers; every tensor and result is closed.
 */
public final class OrtModel implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;

    private OrtModel(OrtEnvironment env, OrtSession session) {
        this.env = env;
        this.session = session;
    }

    /** Opens a session; an ONNX Runtime refusal keeps its message. */
    public static OrtModel open(byte[] onnx) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = options()) {
            return new OrtModel(env, env.createSession(onnx, options));
        }
    }

    /** The options every session of a comparison shares. */
    static OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return options;
    }

    public OrtSession session() {
        return session;
    }

    /** Names of the float outputs, in order. */
    public List<String> floatOutputs() throws OrtException {
        Map<String, NodeInfo> infos = session.getOutputInfo();
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> e : infos.entrySet()) {
            if (e.getValue().getInfo() instanceof TensorInfo
                    && ((TensorInfo) e.getValue().getInfo()).type == OnnxJavaType.FLOAT) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Direct-buffer tensors for a batch; the caller closes them. */
    public Map<String, OnnxTensor> tensors(ModelInputs.Batch batch) throws OrtException {
        return tensors(env, batch);
    }

    private static Map<String, OnnxTensor> tensors(OrtEnvironment env, ModelInputs.Batch batch)
            throws OrtException {
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, float[]> e : batch.values.entrySet()) {
                FloatBuffer buf =
                        ByteBuffer.allocateDirect(e.getValue().length * Float.BYTES)
                                .order(ByteOrder.nativeOrder())
                                .asFloatBuffer();
                buf.put(e.getValue()).flip();
                in.put(e.getKey(), OnnxTensor.createTensor(env, buf, batch.shapes.get(e.getKey())));
            }
        } catch (OrtException | RuntimeException e) {
            closeAll(in);
            throw e;
        }
        return in;
    }

    /** Runs one batch and copies every float output. */
    public Map<String, float[]> run(ModelInputs.Batch batch) throws OrtException {
        return run(env, session, batch);
    }

    /** Runs one batch on any session (e.g. one loaded from an ORT-format file). */
    public static Map<String, float[]> run(
            OrtEnvironment env, OrtSession session, ModelInputs.Batch batch) throws OrtException {
        Map<String, OnnxTensor> in = tensors(env, batch);
        try (OrtSession.Result r = session.run(in)) {
            Map<String, float[]> out = new HashMap<>();
            for (Map.Entry<String, OnnxValue> e : r) {
                if (e.getValue() instanceof OnnxTensor) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    if (t.getInfo().type == OnnxJavaType.FLOAT) {
                        FloatBuffer fb = t.getFloatBuffer();
                        float[] v = new float[fb.remaining()];
                        fb.get(v);
                        out.put(e.getKey(), v);
                    }
                }
            }
            return out;
        } finally {
            closeAll(in);
        }
    }

    static void closeAll(Map<String, OnnxTensor> tensors) {
        for (OnnxTensor t : tensors.values()) {
            t.close();
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
