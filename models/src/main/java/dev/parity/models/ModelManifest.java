package dev.parity.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} next to a registered {@code model.onnx} (docs/ARCHITECTURE.md, Scoring):
 * what the model is, which feature set it was trained on, the exact input order with imputation
 * defaults, its tensor contract, held-out metrics and lineage. Plain data; {@link ModelGate} checks
 * it against the file and the job.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "name",
    "version",
    "createdAt",
    "sha256",
    "featureSet",
    "inputs",
    "inputTensor",
    "outputTensor",
    "task",
    "metrics",
    "lineage"
})
public class ModelManifest implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public String name;
    public String version;

    /** ISO-8601 instant. */
    public String createdAt;

    /** Hex sha256 of model.onnx. */
    public String sha256;

    public FeatureSetRef featureSet;

    /** Model inputs in tensor order, with the value used when a feature is null. */
    public List<Input> inputs = new ArrayList<>();

    public TensorSpec inputTensor;
    public TensorSpec outputTensor;

    /** e.g. "regression". */
    public String task;

    /** Held-out metrics, e.g. {"june_mae": 23.1}. */
    public Map<String, Double> metrics = new LinkedHashMap<>();

    public Lineage lineage;

    public static ModelManifest fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, ModelManifest.class);
    }

    public byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    /** Input feature names in order. */
    public List<String> inputNames() {
        List<String> names = new ArrayList<>();
        for (Input i : inputs) {
            names.add(i.name);
        }
        return names;
    }

    /** The feature set a model was trained on. */
    public static class FeatureSetRef implements Serializable {
        private static final long serialVersionUID = 1L;
        public String name;
        public String fingerprint;

        public FeatureSetRef() {}

        public FeatureSetRef(String name, String fingerprint) {
            this.name = name;
            this.fingerprint = fingerprint;
        }
    }

    /** One model input: a feature name and its imputation default. */
    public static class Input implements Serializable {
        private static final long serialVersionUID = 1L;
        public String name;

        /** Used when the feature is null (an empty window). */
        public double defaultValue;

        public Input() {}

        public Input(String name, double defaultValue) {
            this.name = name;
            this.defaultValue = defaultValue;
        }
    }

    /** A tensor name and shape; -1 marks the batch dimension. */
    public static class TensorSpec implements Serializable {
        private static final long serialVersionUID = 1L;
        public String name;
        public List<Long> shape = new ArrayList<>();

        public TensorSpec() {}

        public TensorSpec(String name, List<Long> shape) {
            this.name = name;
            this.shape = new ArrayList<>(shape);
        }
    }

    /** Where a model came from: its parent and the method that derived it. */
    public static class Lineage implements Serializable {
        private static final long serialVersionUID = 1L;
        public String parentSha256;
        public String method;
        public Map<String, String> parameters = new LinkedHashMap<>();

        public Lineage() {}

        public Lineage(String parentSha256, String method, Map<String, String> parameters) {
            this.parentSha256 = parentSha256;
            this.method = method;
            this.parameters = new LinkedHashMap<>(parameters);
        }
    }
}
