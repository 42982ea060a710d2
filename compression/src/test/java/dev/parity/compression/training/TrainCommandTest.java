package dev.parity.compression.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.compression.TestingModels;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {
    @TempDir Path dir;

    @Test
    void registersATeacherThatPassesTheGateWithAFullManifest() throws Exception {
        Path csv = SyntheticFeatures.write(dir, 6_000, 11);
        Path registry = dir.resolve("registry");
        assertThat(trainSmall(csv, registry)).isZero();
        ModelRegistry.LoadedModel m =
                ModelRegistry.load(
                        new ModelRegistry(registry.toString()).dir("flights-mlp", "1"),
                        ModelGate.builder().build(),
                        TestingModels.CONTRACT);
        ModelManifest manifest = m.manifest();
        assertThat(manifest.featureSet.fingerprint).isEqualTo(TestingModels.CONTRACT.fingerprint());
        assertThat(manifest.inputNames()).isEqualTo(TestingModels.CONTRACT.inputColumns());
        assertThat(manifest.metrics)
                .containsKeys(
                        "june_mae", "june_rmse", "june_r2", "val_mae", "train_rows", "epochs");
        assertThat(manifest.metrics.get("june_mae"))
                .isLessThan(manifest.metrics.get("baseline_train_mean_june_mae"));
        assertThat(manifest.lineage.method).isEqualTo("mlp-djl");
        assertThat(manifest.lineage.parameters).containsEntry("hidden", "16,16");
        // The manifest's defaults are the graph's imputation constants.
        Mlp mlp = MlpOnnx.parse(m.bytes());
        float[] defaults = mlp.preprocessing().defaults();
        for (int j = 0; j < defaults.length; j++) {
            assertThat(manifest.inputs.get(j).defaultValue).isEqualTo((double) defaults[j]);
        }
    }

    @Test
    void trainsOnTheOnlineInputsOfTheFlightsSpecWhenAskedTo() throws Exception {
        Path csv = SyntheticFeatures.write(dir, 6_000, 12);
        Path registry = dir.resolve("registry");
        assertThat(trainSmall(csv, registry, "--features-set", "online")).isZero();
        ModelContract online = ModelContract.online(SpecPlan.of(BundledSpec.flights()));
        ModelRegistry.LoadedModel m =
                ModelRegistry.load(
                        new ModelRegistry(registry.toString()).dir("flights-mlp", "1"),
                        ModelGate.builder().build(),
                        online);
        ModelManifest manifest = m.manifest();
        assertThat(manifest.featureSet.name).isEqualTo("flights_v1");
        assertThat(manifest.featureSet.fingerprint).isEqualTo(BundledSpec.flights().fingerprint());
        assertThat(manifest.inputNames())
                .containsExactly("distance", "dep_hour", "dep_dow", "origin_delay_mean_30d_daily");
        assertThat(MlpOnnx.parse(m.bytes()).preprocessing().defaults()).hasSize(4);
        assertThat(manifest.metrics)
                .containsKey("baseline_origin_delay_mean_30d_daily_june_mae")
                .doesNotContainKey("baseline_route_delay_mean_7d_june_mae");
        assertThat(manifest.lineage.parameters).containsEntry("feature_set", "flights_v1");
    }

    @Test
    void anUnknownFeatureSetIsAUserErrorNamingTheOptionAndTheChoices() {
        // an IllegalArgumentException: the launcher prints its message and exits 2
        TrainCommand train = new TrainCommand();
        new CommandLine(train)
                .parseArgs(
                        "--features", dir.toString(),
                        "--features-set", "nightly",
                        "--out", dir.resolve("registry").toString());
        assertThatThrownBy(train::call)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--features-set: expected standard or online, got 'nightly'");
    }

    /** A small, fast training run on {@code csv} into {@code registry}, plus {@code extra}. */
    private static int trainSmall(Path csv, Path registry, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--features", csv.toString(),
                                "--out", registry.toString(),
                                "--hidden", "16,16",
                                "--epochs", "12",
                                "--batch-size", "128",
                                "--lr", "0.003"));
        args.addAll(List.of(extra));
        return new CommandLine(new TrainCommand()).execute(args.toArray(new String[0]));
    }
}
