package dev.parity.tests.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.compression.CompressionReport;
import dev.parity.features.reference.SampleData;
import dev.parity.jobs.ParityCli;
import dev.parity.models.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second example from CSV to predictions, through the launcher's commands and nothing else:
 * backfill the IAM spec, train on its feature file split by time, score the events with the model
 * in BATCH and in STREAMING mode (the same predictions), and have the gate refuse that model for
 * the flights spec.
 */
class SpecModelITCase {
    @TempDir Path dir;

    private static Path repo() {
        return SampleData.path().getParent().getParent().getParent();
    }

    @Test
    void iamPoliciesFromCsvToPredictions() throws Exception {
        Path spec = repo().resolve("examples/iam-policies/iam-policies.yaml");
        Path events = repo().resolve("examples/iam-policies/sample.csv");
        long rows = Files.lines(events).count() - 1;

        assertThat(backfill(spec, events, dir.resolve("features"), "batch", null)).isZero();
        Path features = dir.resolve("features/features.csv");
        assertThat(Files.lines(features).count() - 1).isEqualTo(rows);

        assertThat(
                        ParityCli.execute(
                                "train",
                                "--spec",
                                spec.toString(),
                                "--features",
                                features.toString(),
                                "--out",
                                dir.resolve("registry").toString(),
                                "--name",
                                "iam-mlp",
                                "--hidden",
                                "16,16",
                                "--epochs",
                                "5"))
                .isIn(0, 3); // 3: registered, but not better than the baseline
        Path model = dir.resolve("registry/iam-mlp/1");
        ModelManifest m =
                ModelManifest.fromJson(Files.readAllBytes(model.resolve("manifest.json")));
        assertThat(m.featureSet.name).isEqualTo("iam_policies_v1");
        assertThat(m.inputNames())
                .contains("version", "policy_versions_90d")
                .doesNotContain("ts", "policy", "narrows");
        assertThat(m.metrics).containsKeys("report_mae", "baseline_train_mean_report_mae");
        assertThat(m.lineage.parameters).containsKeys("validation_from", "report_from");

        assertThat(backfill(spec, events, dir.resolve("batch"), "batch", model)).isZero();
        assertThat(backfill(spec, events, dir.resolve("streaming"), "streaming", model)).isZero();
        List<String> batch = Files.readAllLines(dir.resolve("batch/predictions.csv"));
        assertThat(batch).hasSize((int) rows + 1);
        assertThat(Files.readAllLines(dir.resolve("streaming/predictions.csv")))
                .containsExactlyElementsOf(batch);

        // compression splits the same way and gates its variants against the spec
        Path compressed = dir.resolve("compressed");
        assertThat(
                        ParityCli.execute(
                                "compress",
                                "--spec",
                                spec.toString(),
                                "--model",
                                model.toString(),
                                "--features",
                                features.toString(),
                                "--out",
                                compressed.toString(),
                                "--methods",
                                "fp16,int8-dynamic",
                                "--budget",
                                "50%"))
                .isZero();
        CompressionReport report =
                CompressionReport.fromJson(Files.readAllBytes(compressed.resolve("report.json")));
        assertThat(report.qualityMetric).isEqualTo("report_mae");
        assertThat(report.models)
                .hasSizeGreaterThan(1)
                .allSatisfy(e -> assertThat(e.mae).isNotNull());
        for (CompressionReport.Entry e : report.models) {
            ModelManifest vm =
                    ModelManifest.fromJson(
                            Files.readAllBytes(Path.of(e.directory).resolve("manifest.json")));
            assertThat(vm.featureSet.fingerprint).isEqualTo(m.featureSet.fingerprint);
            assertThat(vm.metrics).containsKey("report_mae");
        }

        Path flights = repo().resolve("examples/flights/flights.yaml");
        assertThat(backfill(flights, SampleData.path(), dir.resolve("wrong"), "batch", model))
                .isEqualTo(2);
        assertThat(dir.resolve("wrong/features.csv")).doesNotExist();
    }

    /**
     * The built-in flights set is the flights spec to the gate: the bundled model scores the sample
     * through the generic engine with {@code --spec}, giving the built-in job's feature file and
     * predictions byte for byte.
     */
    @Test
    void theBundledModelServesTheFlightsSpecAsTheBuiltInSet() throws Exception {
        Path flights = repo().resolve("examples/flights/flights.yaml");
        Path bundled = repo().resolve("models/bundled/flights-linear/1");
        List<String> builtIn =
                dev.parity.tests.Backfills.samplePredictions(
                        dir.resolve("built-in"), bundled.toString());
        assertThat(backfill(flights, SampleData.path(), dir.resolve("spec"), "batch", bundled))
                .isZero();
        List<String> spec = Files.readAllLines(dir.resolve("spec/predictions.csv"));
        assertThat(spec.subList(1, spec.size())).hasSize(48_626).containsExactlyElementsOf(builtIn);
        assertThat(Files.readAllLines(dir.resolve("spec/features.csv")))
                .containsExactlyElementsOf(
                        Files.readAllLines(dir.resolve("built-in/features.csv")));
    }

    private static int backfill(Path spec, Path events, Path out, String mode, Path model) {
        List<String> args =
                new java.util.ArrayList<>(
                        List.of(
                                "backfill",
                                "--spec",
                                spec.toString(),
                                "--events",
                                events.toString(),
                                "--out",
                                out.toString(),
                                "--mode",
                                mode,
                                "--progress-interval",
                                "PT0S"));
        if (model != null) {
            args.add("--model");
            args.add(model.toString());
        }
        return ParityCli.execute(args.toArray(new String[0]));
    }
}
