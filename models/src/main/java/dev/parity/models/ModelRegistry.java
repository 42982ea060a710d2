package dev.parity.models;

import dev.parity.features.engine.SpecPlan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * A directory registry on any Flink file system: {@code <root>/<name>/<version>/model.onnx} and
 * {@code manifest.json}. Loading always runs the {@link ModelGate}.
 *
 * <pre>{@code
 * ModelRegistry registry = new ModelRegistry("s3://models");
 * registry.register("flights", "3", onnxBytes, manifest);
 * LoadedModel m = ModelRegistry.load(registry.dir("flights", "3"), gate, ModelContract.of(plan));
 * }</pre>
 */
public final class ModelRegistry {
    public static final String MODEL_FILE = "model.onnx";
    public static final String MANIFEST_FILE = "manifest.json";

    /** Names and versions become path segments: no separators, no dot-only names. */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path root;

    public ModelRegistry(String root) {
        this.root = new Path(root);
    }

    /** The directory of one model version. */
    public String dir(String name, String version) {
        return new Path(new Path(root, segment("name", name)), segment("version", version))
                .toString();
    }

    /**
     * Writes a model and its manifest; fills in name, version, sha256 and (if unset) createdAt.
     *
     * @return the model's directory
     */
    public String register(String name, String version, byte[] onnx, ModelManifest manifest)
            throws IOException {
        Path dir = new Path(dir(name, version));
        manifest.name = name;
        manifest.version = version;
        manifest.sha256 = ModelGate.sha256(onnx);
        if (manifest.createdAt == null) {
            manifest.createdAt = Instant.now().toString();
        }
        FileSystem fs = dir.getFileSystem();
        fs.mkdirs(dir);
        write(fs, new Path(dir, MODEL_FILE), onnx);
        write(fs, new Path(dir, MANIFEST_FILE), manifest.toJson());
        return dir.toString();
    }

    /** Versions of a model, oldest first (numeric versions numerically). */
    public List<String> versions(String name) throws IOException {
        Path dir = new Path(root, segment("name", name));
        FileSystem fs = dir.getFileSystem();
        List<String> versions = new ArrayList<>();
        if (!fs.exists(dir)) {
            return versions;
        }
        for (FileStatus s : fs.listStatus(dir)) {
            if (s.isDir()) {
                versions.add(s.getPath().getName());
            }
        }
        versions.sort(
                Comparator.comparing(
                                (String v) ->
                                        v.matches("\\d+") ? Long.parseLong(v) : Long.MAX_VALUE)
                        .thenComparing(Comparator.naturalOrder()));
        return versions;
    }

    /** Reads and gates the model in {@code modelDir} against {@code expected}. */
    public static LoadedModel load(String modelDir, ModelGate gate, ModelContract expected)
            throws IOException {
        Path dir = new Path(modelDir);
        Path modelPath = new Path(dir, MODEL_FILE);
        Path manifestPath = new Path(dir, MANIFEST_FILE);
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(modelPath)) {
            throw new ModelRejectedException(modelPath.toString(), "file not found");
        }
        byte[] bytes = read(fs, modelPath, gate.maxBytes());
        ModelManifest manifest;
        if (!fs.exists(manifestPath)) {
            throw new ModelRejectedException(manifestPath.toString(), "file not found");
        }
        try {
            manifest = ModelManifest.fromJson(read(fs, manifestPath, 1 << 20));
        } catch (IOException e) {
            throw new ModelRejectedException(
                    manifestPath.toString(), "not a readable manifest: " + e.getMessage(), e);
        }
        gate.check(modelPath.toString(), bytes, manifest, expected);
        return new LoadedModel(modelPath.toString(), bytes, manifest);
    }

    /**
     * The contract of {@code plan} that the model in {@code modelDir} is meant for ({@link
     * ModelContract#forSpec}: the online one for a model of the spec's online inputs, else the full
     * one); the full one when the manifest cannot be read, so that the gate reports why.
     */
    public static ModelContract specContract(String modelDir, SpecPlan plan) {
        try {
            return ModelContract.forSpec(plan, manifestOf(modelDir).inputNames());
        } catch (IOException | RuntimeException e) {
            return ModelContract.of(plan);
        }
    }

    /** The manifest in {@code modelDir}, read but not gated (use {@link #load} to serve). */
    public static ModelManifest manifestOf(String modelDir) throws IOException {
        Path manifestPath = new Path(new Path(modelDir), MANIFEST_FILE);
        return ModelManifest.fromJson(read(manifestPath.getFileSystem(), manifestPath, 1 << 20));
    }

    private static String segment(String what, String value) {
        if (value == null || !SEGMENT.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "model " + what + " must match " + SEGMENT.pattern() + ", got '" + value + "'");
        }
        return value;
    }

    private static void write(FileSystem fs, Path path, byte[] bytes) throws IOException {
        try (OutputStream out = fs.create(path, FileSystem.WriteMode.OVERWRITE)) {
            out.write(bytes);
        }
    }

    /** Reads at most {@code limit} bytes; a larger file is rejected before it is read whole. */
    private static byte[] read(FileSystem fs, Path path, long limit) throws IOException {
        long len = fs.getFileStatus(path).getLen();
        if (len > limit) {
            throw new ModelRejectedException(
                    path.toString(), "file is " + len + " bytes, above the limit of " + limit);
        }
        try (InputStream in = fs.open(path)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) len);
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    /** A model that passed the gate. */
    public static final class LoadedModel {
        private final String location;
        private final byte[] bytes;
        private final ModelManifest manifest;

        LoadedModel(String location, byte[] bytes, ModelManifest manifest) {
            this.location = location;
            this.bytes = bytes;
            this.manifest = manifest;
        }

        public String location() {
            return location;
        }

        public byte[] bytes() {
            return bytes.clone();
        }

        public ModelManifest manifest() {
            return manifest;
        }
    }
}
