package dev.parity.models;

import static dev.parity.models.TestingModels.CONTRACT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One test per kind of bad model: each is refused with the file and the problem named. */
class ModelGateTest {
    private static final String FILE = "registry/flights/1/model.onnx";
    private final ModelGate gate = ModelGate.builder().build();
    private final byte[] good = TestingModels.linearBytes();

    private ModelRejectedException rejected(byte[] bytes, ModelManifest manifest) {
        return rejected(gate, bytes, manifest, CONTRACT);
    }

    private static ModelRejectedException rejected(
            ModelGate gate, byte[] bytes, ModelManifest manifest, ModelContract set) {
        try {
            gate.check(FILE, bytes, manifest, set);
        } catch (ModelRejectedException e) {
            assertThat(e.getMessage()).startsWith("model rejected: " + FILE + ": ");
            return e;
        }
        throw new AssertionError("the gate accepted a bad model");
    }

    @Test
    void aGoodModelPasses() {
        OnnxMl.ModelProto m = gate.check(FILE, good, TestingModels.manifestFor(good), CONTRACT);
        assertThat(m.getGraph().getNodeCount()).isEqualTo(2);
    }

    @Test
    void truncatedProtobuf() {
        byte[] truncated = Arrays.copyOf(good, good.length / 2);
        assertThat(rejected(truncated, TestingModels.manifestFor(truncated)).problem())
                .startsWith("not a readable ONNX protobuf (truncated or corrupt)");
    }

    @Test
    void notAModelAtAll() {
        byte[] text = "hello, not onnx".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(rejected(text, TestingModels.manifestFor(text)).problem())
                .startsWith("not a readable ONNX");
    }

    @Test
    void sha256Mismatch() {
        ModelManifest m = TestingModels.manifestFor(good);
        m.sha256 = ModelGate.sha256(new byte[] {1});
        assertThat(rejected(good, m).problem()).startsWith("sha256 mismatch: manifest says ");
    }

    @Test
    void fingerprintMismatch() {
        ModelManifest m = TestingModels.manifestFor(good);
        m.featureSet.fingerprint = "0".repeat(64);
        assertThat(rejected(good, m).problem())
                .startsWith(
                        "feature-set fingerprint mismatch: the model was trained on 'flights_v1'");
    }

    @Test
    void featureOrderMismatch() {
        ModelManifest m = TestingModels.manifestFor(good);
        Collections.swap(m.inputs, 0, 1);
        assertThat(rejected(good, m).problem()).startsWith("feature order mismatch");
    }

    @Test
    void featureArityMismatchInTheManifest() {
        ModelManifest m = TestingModels.manifestFor(good);
        m.inputs.remove(8);
        assertThat(rejected(good, m).problem())
                .startsWith("feature arity mismatch: the model expects");
    }

    @Test
    void featureArityMismatchInTheTensor() {
        byte[] eight = LinearOnnxModel.build(new float[8], 0f);
        assertThat(rejected(eight, TestingModels.manifestFor(eight)).problem())
                .isEqualTo(
                        "feature arity mismatch: input tensor 'features' takes 8 features, the job provides 9");
    }

    @Test
    void missingInputTensorName() {
        ModelManifest m = TestingModels.manifestFor(good);
        m.inputTensor.name = "x";
        assertThat(rejected(good, m).problem())
                .isEqualTo(
                        "input tensor 'x' named in the manifest is not a graph input; graph inputs are [features]");
    }

    @Test
    void missingOutputTensorName() {
        ModelManifest m = TestingModels.manifestFor(good);
        m.outputTensor.name = "y";
        assertThat(rejected(good, m).problem())
                .isEqualTo(
                        "output tensor 'y' named in the manifest is not a graph output; graph outputs are [prediction]");
    }

    @Test
    void externalDataReference() throws Exception {
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.parseFrom(good).toBuilder();
        OnnxMl.TensorProto w = m.getGraph().getInitializer(0);
        m.getGraphBuilder()
                .setInitializer(
                        0,
                        w.toBuilder()
                                .clearFloatData()
                                .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                                .addExternalData(
                                        OnnxMl.StringStringEntryProto.newBuilder()
                                                .setKey("location")
                                                .setValue("../../etc/passwd")));
        byte[] bytes = m.build().toByteArray();
        assertThat(rejected(bytes, TestingModels.manifestFor(bytes)).problem())
                .startsWith("references external data")
                .contains("'W' -> ../../etc/passwd");
    }

    @Test
    void fileAboveTheSizeLimit() {
        ModelGate small = ModelGate.builder().maxBytes(100).build();
        assertThat(rejected(small, good, TestingModels.manifestFor(good), CONTRACT).problem())
                .isEqualTo("file is " + good.length + " bytes, above the limit of 100");
    }

    @Test
    void operatorOutsideTheAllowList() throws Exception {
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.parseFrom(good).toBuilder();
        // a control-flow node whose subgraph holds a custom-domain op
        OnnxMl.GraphProto body =
                OnnxMl.GraphProto.newBuilder()
                        .setName("body")
                        .addNode(
                                OnnxMl.NodeProto.newBuilder()
                                        .setOpType("Exfiltrate")
                                        .setDomain("com.evil"))
                        .build();
        m.getGraphBuilder()
                .addNode(
                        OnnxMl.NodeProto.newBuilder()
                                .setOpType("Loop")
                                .setName("loop")
                                .addAttribute(
                                        OnnxMl.AttributeProto.newBuilder()
                                                .setName("body")
                                                .setType(OnnxMl.AttributeProto.AttributeType.GRAPH)
                                                .setG(body)));
        byte[] bytes = m.build().toByteArray();
        assertThat(rejected(bytes, TestingModels.manifestFor(bytes)).problem())
                .startsWith("uses operators outside the allow-list: [Loop, com.evil:Exfiltrate]");
    }

    @Test
    void noManifest() {
        assertThat(rejected(good, null).problem()).isEqualTo("no manifest.json next to the model");
    }

    @Test
    void builderValidation() {
        assertThatThrownBy(() -> ModelGate.builder().maxBytes(0).build())
                .hasMessageContaining("'maxBytes'");
        List<String> none = new ArrayList<>();
        assertThatThrownBy(() -> ModelGate.builder().allowedOps(java.util.Set.copyOf(none)).build())
                .hasMessageContaining("'allowedOps'");
    }
}
