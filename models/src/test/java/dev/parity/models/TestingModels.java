package dev.parity.models;

import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.FlightFeatures;
import java.util.List;

/** A linear model over the standard feature set with a manifest that passes the gate. */
public final class TestingModels {
    public static final FeatureSet SET = FlightFeatures.standard();
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
        m.featureSet = new ModelManifest.FeatureSetRef(SET.name(), SET.fingerprint());
        for (String c : SET.inputColumns()) {
            m.inputs.add(new ModelManifest.Input(c, 0.0));
        }
        m.inputTensor = new ModelManifest.TensorSpec(LinearOnnxModel.INPUT, List.of(-1L, 9L));
        m.outputTensor = new ModelManifest.TensorSpec(LinearOnnxModel.OUTPUT, List.of(-1L, 1L));
        m.task = "regression";
        return m;
    }
}
