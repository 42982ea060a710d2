package dev.parity.models;

import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import java.util.List;

/** A linear model over the bundled flights spec's inputs with a manifest that passes the gate. */
public final class TestingModels {
    public static final SpecPlan PLAN = SpecPlan.of(BundledSpec.flights());
    public static final ModelContract CONTRACT = ModelContract.of(PLAN);
    public static final float[] WEIGHTS = {
        0.01f, 0.5f, -0.25f, 0.1f, 0.2f, 0.3f, -0.4f, 0.6f, 0.05f
    };
    public static final float BIAS = 2.5f;

    private TestingModels() {}

    public static byte[] linearBytes() {
        return LinearOnnxModel.build(WEIGHTS, BIAS);
    }

    public static ModelManifest manifestFor(byte[] bytes) {
        ModelManifest m = new ModelManifest();
        m.name = "flights";
        m.version = "1";
        m.sha256 = ModelGate.sha256(bytes);
        m.featureSet = new ModelManifest.FeatureSetRef(CONTRACT.name(), CONTRACT.fingerprint());
        for (String c : CONTRACT.inputColumns()) {
            m.inputs.add(new ModelManifest.Input(c, 0.0));
        }
        m.inputTensor = new ModelManifest.TensorSpec(LinearOnnxModel.INPUT, List.of(-1L, 9L));
        m.outputTensor = new ModelManifest.TensorSpec(LinearOnnxModel.OUTPUT, List.of(-1L, 1L));
        m.task = "regression";
        return m;
    }

    /**
     * A flights feature row whose model inputs ({@link #CONTRACT}'s columns, in order) are {@code
     * inputs}, a null being a feature over an empty window; the other columns stay null.
     */
    public static FeatureRow row(long id, long time, Object... inputs) {
        int[] positions = PLAN.positionsOf(CONTRACT.inputColumns());
        if (inputs.length != positions.length) {
            throw new IllegalArgumentException(
                    "expected " + positions.length + " inputs, got " + inputs.length);
        }
        Object[] values = new Object[PLAN.header().size() - 1];
        for (int i = 0; i < positions.length; i++) {
            values[positions[i]] = inputs[i];
        }
        return new FeatureRow(id, time, values);
    }
}
