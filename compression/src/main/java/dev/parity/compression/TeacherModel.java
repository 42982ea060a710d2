package dev.parity.compression;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import dev.parity.models.ModelRejectedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The model to compress, read as untrusted input: a registry directory ({@code model.onnx} with its
 * {@code manifest.json}, sha256 checked) or a bare third-party {@code .onnx} file. Both go through
 * the size cap before they are read and through {@link ModelGate#checkFile} (no external data); the
 * operator allow-list is widened by the model's own operators so a third-party model is not refused
 * for what it already is, but nothing the job adds goes beyond the default list.
 */
public final class TeacherModel {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final String location;
    private final byte[] bytes;
    private final OnnxMl.ModelProto model;
    private final ModelManifest manifest;
    private final String name;
    private final String version;
    private final ModelGate gate;

    private TeacherModel(
            String location,
            byte[] bytes,
            OnnxMl.ModelProto model,
            ModelManifest manifest,
            String name,
            String version,
            ModelGate gate) {
        this.location = location;
        this.bytes = bytes;
        this.model = model;
        this.manifest = manifest;
        this.name = name;
        this.version = version;
        this.gate = gate;
    }

    /**
     * Loads a model directory or {@code .onnx} file.
     *
     * @param nameOverride the registry name to use instead of the manifest's or the file's
     */
    public static TeacherModel load(Path path, long maxBytes, String nameOverride)
            throws IOException {
        if (Files.isDirectory(path)) {
            Path file = path.resolve(ModelRegistry.MODEL_FILE);
            Path manifestFile = path.resolve(ModelRegistry.MANIFEST_FILE);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--model: no " + file);
            }
            if (!Files.isRegularFile(manifestFile)) {
                throw new IllegalArgumentException(
                        "--model: no " + manifestFile + " (give the .onnx file for a bare model)");
            }
            byte[] bytes = read(file, maxBytes);
            ModelManifest manifest;
            try {
                manifest = ModelManifest.fromJson(read(manifestFile, 1 << 20));
            } catch (IOException e) {
                throw new ModelRejectedException(
                        manifestFile.toString(), "not a readable manifest: " + e.getMessage(), e);
            }
            String sha = ModelGate.sha256(bytes);
            if (manifest.sha256 == null || !manifest.sha256.equalsIgnoreCase(sha)) {
                throw new ModelRejectedException(
                        file.toString(),
                        "sha256 mismatch: manifest says " + manifest.sha256 + ", file is " + sha);
            }
            if (manifest.inputTensor == null
                    || manifest.outputTensor == null
                    || manifest.inputs.isEmpty()) {
                throw new ModelRejectedException(
                        manifestFile.toString(), "manifest has no input/output tensor or inputs");
            }
            String name = checkName(nameOverride != null ? nameOverride : manifest.name);
            String version = checkName(manifest.version == null ? "1" : manifest.version);
            return of(file.toString(), bytes, manifest, name, version, maxBytes);
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("--model: no such file or directory: " + path);
        }
        byte[] bytes = read(path, maxBytes);
        String name =
                nameOverride != null
                        ? checkName(nameOverride)
                        : sanitize(path.getFileName().toString());
        return of(path.toString(), bytes, null, name, "1", maxBytes);
    }

    /** A model already in memory (tests, callers with their own storage). */
    public static TeacherModel of(
            String location,
            byte[] bytes,
            ModelManifest manifest,
            String name,
            String version,
            long maxBytes) {
        if (bytes.length > maxBytes) {
            throw new ModelRejectedException(
                    location, "file is " + bytes.length + " bytes, above the limit of " + maxBytes);
        }
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelRejectedException(location, "not a readable ONNX protobuf", e);
        }
        Set<String> ops = new LinkedHashSet<>(ModelGate.DEFAULT_ALLOWED_OPS);
        collectOps(model.getGraph(), ops);
        ModelGate gate = ModelGate.builder().maxBytes(maxBytes).allowedOps(ops).build();
        gate.checkFile(location, bytes); // external data, empty graph
        for (OnnxMl.ValueInfoProto in : model.getGraph().getInputList()) {
            boolean initializer =
                    model.getGraph().getInitializerList().stream()
                            .anyMatch(t -> t.getName().equals(in.getName()));
            if (!initializer
                    && in.getType().getTensorType().getElemType()
                            != OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
                throw new ModelRejectedException(
                        location,
                        "input '"
                                + in.getName()
                                + "' is not float32; only float32 models are supported");
            }
        }
        return new TeacherModel(
                location, bytes, model, manifest, checkName(name), checkName(version), gate);
    }

    private static void collectOps(OnnxMl.GraphProto g, Set<String> ops) {
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            String d = n.getDomain();
            ops.add(d.isEmpty() || d.equals("ai.onnx") ? n.getOpType() : d + ":" + n.getOpType());
            for (OnnxMl.AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collectOps(a.getG(), ops);
                }
                for (OnnxMl.GraphProto sg : a.getGraphsList()) {
                    collectOps(sg, ops);
                }
            }
        }
    }

    /** A registry path segment: rejects separators, {@code ..} and anything else odd. */
    static String checkName(String name) {
        if (name == null || !SEGMENT.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException(
                    "model name/version must match "
                            + SEGMENT.pattern()
                            + " without '..', got '"
                            + name
                            + "'");
        }
        return name;
    }

    /** A safe registry name from a file name: {@code my model.v2.onnx -> my-model.v2}. */
    static String sanitize(String fileName) {
        String stem =
                fileName.endsWith(".onnx")
                        ? fileName.substring(0, fileName.length() - 5)
                        : fileName;
        String s = stem.replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("\\.{2,}", ".");
        s = s.replaceAll("^[^A-Za-z0-9]+", "");
        if (s.isEmpty()) {
            s = "model";
        }
        return s.length() > 100 ? s.substring(0, 100) : s;
    }

    private static byte[] read(Path file, long limit) throws IOException {
        long size = Files.size(file);
        if (size > limit) {
            throw new ModelRejectedException(
                    file.toString(), "file is " + size + " bytes, above the limit of " + limit);
        }
        return Files.readAllBytes(file);
    }

    public String location() {
        return location;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public OnnxMl.ModelProto model() {
        return model;
    }

    /** The manifest, or null for a bare third-party model. */
    public ModelManifest manifest() {
        return manifest;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    /** The gate every written variant must pass (default ops plus the teacher's own). */
    public ModelGate gate() {
        return gate;
    }
}
