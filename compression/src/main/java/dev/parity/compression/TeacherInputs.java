package dev.parity.compression;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.eval.ModelInputs;
import dev.parity.models.FeatureTable;
import dev.parity.models.ModelManifest;
import java.util.ArrayList;
import java.util.List;

/**
 * The inputs the offline jobs feed a teacher, in one place for {@code compress} and {@code export}:
 * real rows of a training file (nulls imputed with the manifest defaults, as the scoring operator
 * does), or generated values for a model without one.
 */
public final class TeacherInputs {
    private TeacherInputs() {}

    /** At most {@code n} TRAIN (Jan-Apr) rows spread over the period. */
    public static ModelInputs trainRows(FeatureTable table, ModelManifest manifest, int n) {
        int[] sample = spread(table.rowsOf(FeatureTable.Split.TRAIN), n);
        return ModelInputs.ofRows(
                manifest.inputTensor.name,
                manifest.inputs.size(),
                impute(table.features(sample), manifest),
                "TRAIN (Jan-Apr) rows spread over the period, nulls imputed with the manifest"
                        + " defaults");
    }

    /** The REPORT rows (flights: June), at most {@code n} of them, the earliest first. */
    public static ModelInputs reportRows(FeatureTable table, ModelManifest manifest, int n) {
        int[] june = table.rowsOf(FeatureTable.Split.REPORT);
        if (june.length > n) {
            june = java.util.Arrays.copyOf(june, n);
        }
        return ModelInputs.ofRows(
                manifest.inputTensor.name,
                manifest.inputs.size(),
                impute(table.features(june), manifest),
                "report rows");
    }

    /**
     * Generated inputs: around the manifest's imputation defaults when there is a manifest, else
     * N(0,1) values of the graph's declared input shapes.
     */
    public static ModelInputs generated(TeacherModel teacher) {
        ModelManifest manifest = teacher.manifest();
        if (manifest != null) {
            int d = manifest.inputs.size();
            float[] center = new float[d];
            float[] spread = new float[d];
            for (int j = 0; j < d; j++) {
                center[j] = (float) manifest.inputs.get(j).defaultValue;
                spread[j] = Math.max(1f, Math.abs(center[j]) * 0.5f);
            }
            return ModelInputs.generatedAround(manifest.inputTensor.name, center, spread, 11);
        }
        return ModelInputs.generated(inputSpecs(teacher.model()), 11);
    }

    /** The graph inputs that are not initializers, with their declared shapes. */
    public static List<ModelInputs.Spec> inputSpecs(OnnxMl.ModelProto model) {
        List<ModelInputs.Spec> specs = new ArrayList<>();
        for (OnnxMl.ValueInfoProto v : model.getGraph().getInputList()) {
            boolean initializer =
                    model.getGraph().getInitializerList().stream()
                            .anyMatch(t -> t.getName().equals(v.getName()));
            if (initializer) {
                continue;
            }
            List<OnnxMl.TensorShapeProto.Dimension> dims =
                    v.getType().getTensorType().getShape().getDimList();
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i).hasDimValue() ? dims.get(i).getDimValue() : -1;
            }
            specs.add(new ModelInputs.Spec(v.getName(), shape));
        }
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("the model has no graph input to feed");
        }
        return specs;
    }

    /** Rows with nulls get the manifest's imputation defaults (as the scoring operator does). */
    public static float[] impute(float[] rows, ModelManifest manifest) {
        int d = manifest.inputs.size();
        for (int i = 0; i < rows.length; i++) {
            if (Float.isNaN(rows[i])) {
                rows[i] = (float) manifest.inputs.get(i % d).defaultValue;
            }
        }
        return rows;
    }

    /** At most {@code n} of {@code rows}, evenly spread (so every month is represented). */
    public static int[] spread(int[] rows, int n) {
        if (rows.length <= n) {
            return rows;
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = rows[(int) ((long) i * rows.length / n)];
        }
        return out;
    }

    /** A manifest for a bare model: its first input and output, no feature set. */
    public static ModelManifest bareManifest(OnnxMl.ModelProto model) {
        ModelManifest m = new ModelManifest();
        ModelInputs.Spec in = inputSpecs(model).get(0);
        List<Long> shape = new ArrayList<>();
        for (long d : in.shape) {
            shape.add(d);
        }
        m.inputTensor = new ModelManifest.TensorSpec(in.name, shape);
        OnnxMl.ValueInfoProto o = model.getGraph().getOutput(0);
        List<Long> oshape = new ArrayList<>();
        for (OnnxMl.TensorShapeProto.Dimension d :
                o.getType().getTensorType().getShape().getDimList()) {
            oshape.add(d.hasDimValue() ? d.getDimValue() : -1L);
        }
        m.outputTensor = new ModelManifest.TensorSpec(o.getName(), oshape);
        m.task = "unknown (third-party model)";
        return m;
    }
}
