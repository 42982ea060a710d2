package dev.parity.models;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The bad-model gate: every check a model must pass before any record is scored with it, at first
 * load and at every swap. Each failure is a {@link ModelRejectedException} naming the file and the
 * problem.
 *
 * <pre>{@code
 * ModelGate gate = ModelGate.builder().maxBytes(64 << 20).build();
 * gate.check("registry/flights/3/model.onnx", bytes, manifest, ModelContract.of(plan));
 * }</pre>
 */
public final class ModelGate implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Operators an MLP or small CNN, and its quantised variants, need; no control flow. */
    public static final Set<String> DEFAULT_ALLOWED_OPS =
            Set.of(
                    "Add",
                    "AveragePool",
                    "BatchNormalization",
                    "Cast",
                    "Clip",
                    "Concat",
                    "Constant",
                    "Conv",
                    "ConvInteger",
                    "DequantizeLinear",
                    "Div",
                    "DynamicQuantizeLinear",
                    "Flatten",
                    "Gemm",
                    "GlobalAveragePool",
                    "Identity",
                    "IsInf",
                    "IsNaN",
                    "LeakyRelu",
                    "MatMul",
                    "MatMulInteger",
                    "MaxPool",
                    "Mul",
                    "QLinearConv",
                    "QLinearMatMul",
                    "QuantizeLinear",
                    "ReduceMean",
                    "Relu",
                    "Reshape",
                    "Sigmoid",
                    "Softmax",
                    "Sqrt",
                    "Squeeze",
                    "Sub",
                    "Tanh",
                    "Transpose",
                    "Unsqueeze",
                    "Where");

    /** Default size limit: 256 MiB. */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;

    private final long maxBytes;
    private final Set<String> allowedOps;

    private ModelGate(Builder b) {
        this.maxBytes = b.maxBytes;
        this.allowedOps = Set.copyOf(b.allowedOps);
    }

    public static Builder builder() {
        return new Builder();
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Checks a model file and its manifest against the job's contract.
     *
     * @param location the model file's path, for messages
     * @return the parsed model, for callers that inspect it further
     * @throws ModelRejectedException naming {@code location} and the problem
     */
    public OnnxMl.ModelProto check(
            String location, byte[] bytes, ModelManifest manifest, ModelContract expected) {
        checkSize(location, bytes.length);
        if (manifest == null) {
            throw new ModelRejectedException(location, "no manifest.json next to the model");
        }
        String actual = sha256(bytes);
        if (manifest.sha256 == null || !manifest.sha256.equalsIgnoreCase(actual)) {
            throw new ModelRejectedException(
                    location,
                    "sha256 mismatch: manifest says "
                            + manifest.sha256
                            + ", file is "
                            + actual
                            + " (the file changed after it was registered, or is incomplete)");
        }
        OnnxMl.ModelProto model = parse(location, bytes);
        checkGraph(location, model);
        checkFeatures(location, manifest, expected);
        checkTensors(location, model, manifest, expected.inputColumns().size());
        return model;
    }

    /** The checks that need no manifest: size, protobuf, external data, operators. */
    public OnnxMl.ModelProto checkFile(String location, byte[] bytes) {
        checkSize(location, bytes.length);
        OnnxMl.ModelProto model = parse(location, bytes);
        checkGraph(location, model);
        return model;
    }

    private void checkSize(String location, long size) {
        if (size > maxBytes) {
            throw new ModelRejectedException(
                    location, "file is " + size + " bytes, above the limit of " + maxBytes);
        }
    }

    private static OnnxMl.ModelProto parse(String location, byte[] bytes) {
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelRejectedException(
                    location,
                    "not a readable ONNX protobuf (truncated or corrupt): " + e.getMessage(),
                    e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new ModelRejectedException(
                    location, "not a readable ONNX model: it has no graph nodes");
        }
        return model;
    }

    private void checkGraph(String location, OnnxMl.ModelProto model) {
        Set<String> disallowed = new TreeSet<>();
        List<String> external = new ArrayList<>();
        walk(model.getGraph(), "graph", disallowed, external);
        if (!external.isEmpty()) {
            throw new ModelRejectedException(
                    location,
                    "references external data, which the gate does not load: " + external);
        }
        if (!disallowed.isEmpty()) {
            throw new ModelRejectedException(
                    location,
                    "uses operators outside the allow-list: "
                            + disallowed
                            + " (allowed: "
                            + new TreeSet<>(allowedOps)
                            + ")");
        }
    }

    private void walk(
            OnnxMl.GraphProto graph, String where, Set<String> disallowed, List<String> external) {
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            checkTensorData(t, where + " initializer", external);
        }
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            String domain = node.getDomain();
            String op =
                    domain.isEmpty() || domain.equals("ai.onnx")
                            ? node.getOpType()
                            : domain + ":" + node.getOpType();
            if (!allowedOps.contains(op)) {
                disallowed.add(op);
            }
            for (OnnxMl.AttributeProto a : node.getAttributeList()) {
                String at = where + " node " + node.getName() + " attribute " + a.getName();
                if (a.hasT()) {
                    checkTensorData(a.getT(), at, external);
                }
                for (OnnxMl.TensorProto t : a.getTensorsList()) {
                    checkTensorData(t, at, external);
                }
                if (a.hasG()) {
                    walk(a.getG(), at, disallowed, external);
                }
                for (OnnxMl.GraphProto g : a.getGraphsList()) {
                    walk(g, at, disallowed, external);
                }
            }
        }
    }

    private static void checkTensorData(OnnxMl.TensorProto t, String where, List<String> external) {
        if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL
                || t.getExternalDataCount() > 0) {
            String path = "";
            for (OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
                if (e.getKey().equals("location")) {
                    path = " -> " + e.getValue();
                }
            }
            external.add(where + " '" + t.getName() + "'" + path);
        }
    }

    private static void checkFeatures(
            String location, ModelManifest manifest, ModelContract expected) {
        if (manifest.featureSet == null
                || !expected.fingerprint().equals(manifest.featureSet.fingerprint)) {
            throw new ModelRejectedException(
                    location,
                    "feature-set fingerprint mismatch: the model was trained on "
                            + (manifest.featureSet == null
                                    ? "an unnamed feature set"
                                    : "'"
                                            + manifest.featureSet.name
                                            + "' ("
                                            + manifest.featureSet.fingerprint
                                            + ")")
                            + ", the job computes '"
                            + expected.name()
                            + "' ("
                            + expected.fingerprint()
                            + ")");
        }
        List<String> want = expected.inputColumns();
        List<String> have = manifest.inputNames();
        if (!want.equals(have)) {
            throw new ModelRejectedException(
                    location,
                    (want.size() != have.size()
                                    ? "feature arity mismatch"
                                    : "feature order mismatch")
                            + ": the model expects "
                            + have
                            + ", the job provides "
                            + want);
        }
    }

    private static void checkTensors(
            String location, OnnxMl.ModelProto model, ModelManifest manifest, int arity) {
        OnnxMl.GraphProto g = model.getGraph();
        Set<String> initializers = new TreeSet<>();
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            initializers.add(t.getName());
        }
        List<String> inputs = new ArrayList<>();
        OnnxMl.ValueInfoProto input = null;
        for (OnnxMl.ValueInfoProto v : g.getInputList()) {
            if (!initializers.contains(v.getName())) {
                inputs.add(v.getName());
                if (manifest.inputTensor != null && v.getName().equals(manifest.inputTensor.name)) {
                    input = v;
                }
            }
        }
        List<String> outputs = new ArrayList<>();
        for (OnnxMl.ValueInfoProto v : g.getOutputList()) {
            outputs.add(v.getName());
        }
        if (input == null) {
            throw new ModelRejectedException(
                    location,
                    "input tensor '"
                            + (manifest.inputTensor == null ? null : manifest.inputTensor.name)
                            + "' named in the manifest is not a graph input; graph inputs are "
                            + inputs);
        }
        if (inputs.size() != 1) {
            throw new ModelRejectedException(
                    location, "expected exactly one graph input, found " + inputs);
        }
        if (manifest.outputTensor == null || !outputs.contains(manifest.outputTensor.name)) {
            throw new ModelRejectedException(
                    location,
                    "output tensor '"
                            + (manifest.outputTensor == null ? null : manifest.outputTensor.name)
                            + "' named in the manifest is not a graph output; graph outputs are "
                            + outputs);
        }
        OnnxMl.TypeProto.Tensor type = input.getType().getTensorType();
        if (type.getElemType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
            throw new ModelRejectedException(
                    location, "input tensor '" + input.getName() + "' is not float32");
        }
        List<OnnxMl.TensorShapeProto.Dimension> dims = type.getShape().getDimList();
        if (dims.size() != 2) {
            throw new ModelRejectedException(
                    location,
                    "input tensor '"
                            + input.getName()
                            + "' must be [batch, features], has rank "
                            + dims.size());
        }
        OnnxMl.TensorShapeProto.Dimension features = dims.get(1);
        if (!features.hasDimValue() || features.getDimValue() != arity) {
            throw new ModelRejectedException(
                    location,
                    "feature arity mismatch: input tensor '"
                            + input.getName()
                            + "' takes "
                            + (features.hasDimValue()
                                    ? features.getDimValue()
                                    : "'" + features.getDimParam() + "'")
                            + " features, the job provides "
                            + arity);
        }
    }

    /** Hex sha256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            StringBuilder hex = new StringBuilder(64);
            for (byte b : d) {
                hex.append(Character.forDigit((b >> 4) & 0xf, 16))
                        .append(Character.forDigit(b & 0xf, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builder; defaults: 256 MiB, {@link #DEFAULT_ALLOWED_OPS}. */
    public static final class Builder {
        private long maxBytes = DEFAULT_MAX_BYTES;
        private Set<String> allowedOps = DEFAULT_ALLOWED_OPS;

        private Builder() {}

        public Builder maxBytes(long maxBytes) {
            this.maxBytes = maxBytes;
            return this;
        }

        public Builder allowedOps(Set<String> allowedOps) {
            this.allowedOps = allowedOps;
            return this;
        }

        public ModelGate build() {
            if (maxBytes <= 0) {
                throw new IllegalArgumentException("'maxBytes' must be positive, got " + maxBytes);
            }
            if (allowedOps == null || allowedOps.isEmpty()) {
                throw new IllegalArgumentException("'allowedOps' must not be empty");
            }
            return new ModelGate(this);
        }
    }
}
