package dev.parity.models;

import static dev.parity.models.TestingModels.CONTRACT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
    @TempDir Path tmp;

    @Test
    void registerThenLoadRoundTripsThroughTheGate() throws Exception {
        ModelRegistry registry = new ModelRegistry(tmp.toString());
        byte[] bytes = TestingModels.linearBytes();
        ModelManifest manifest = TestingModels.manifestFor(bytes);
        manifest.sha256 = null; // register fills it in
        String dir = registry.register("flights", "2", bytes, manifest);
        registry.register("flights", "10", bytes, TestingModels.manifestFor(bytes));

        ModelRegistry.LoadedModel m =
                ModelRegistry.load(dir, ModelGate.builder().build(), CONTRACT);

        assertThat(m.bytes()).isEqualTo(bytes);
        assertThat(m.manifest().version).isEqualTo("2");
        assertThat(m.manifest().sha256).isEqualTo(ModelGate.sha256(bytes));
        assertThat(m.manifest().createdAt).isNotNull();
        assertThat(registry.versions("flights")).containsExactly("2", "10");
        assertThat(Files.readString(tmp.resolve("flights/2/manifest.json")))
                .contains("\"fingerprint\" : \"" + CONTRACT.fingerprint() + "\"");
    }

    @Test
    void aFileChangedAfterRegistrationIsRejectedOnLoad() throws Exception {
        ModelRegistry registry = new ModelRegistry(tmp.toString());
        byte[] bytes = TestingModels.linearBytes();
        String dir = registry.register("flights", "1", bytes, TestingModels.manifestFor(bytes));
        Files.write(tmp.resolve("flights/1/model.onnx"), LinearOnnxModel.build(new float[9], 1f));

        assertThatThrownBy(() -> ModelRegistry.load(dir, ModelGate.builder().build(), CONTRACT))
                .isInstanceOf(ModelRejectedException.class)
                .hasMessageContaining("flights/1/model.onnx: sha256 mismatch");
    }

    @Test
    void namesThatWouldEscapeTheRegistryAreRefused() {
        ModelRegistry registry = new ModelRegistry(tmp.toString());
        for (String bad : new String[] {"..", "../x", "a/b", "", ".hidden"}) {
            assertThatThrownBy(() -> registry.dir(bad, "1"))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("model name must match");
        }
    }

    @Test
    void missingFilesAreNamed() {
        assertThatThrownBy(
                        () ->
                                ModelRegistry.load(
                                        tmp.resolve("nope").toString(),
                                        ModelGate.builder().build(),
                                        CONTRACT))
                .hasMessageContaining("nope/model.onnx: file not found");
    }
}
