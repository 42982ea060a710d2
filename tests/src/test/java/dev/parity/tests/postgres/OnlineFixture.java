package dev.parity.tests.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.engine.SpecPlan;
import dev.parity.features.reference.SampleData;
import dev.parity.features.spec.BundledSpec;
import dev.parity.jobs.ParityCli;
import dev.parity.models.LinearBaseline;
import dev.parity.models.ModelContract;
import java.nio.file.Path;

/**
 * What the online ITCases start from: the sample's training file (a backfill), its daily feature
 * snapshots in PostgreSQL (written by {@code batch-predict}), and a linear model fitted on exactly
 * the flights spec's online inputs.
 */
final class OnlineFixture {
    private static final Path ROOT = SampleData.path().getParent().getParent().getParent();
    private static final String BATCH_MODEL =
            ROOT.resolve("models/bundled/flights-linear/1").toString();

    /** The backfill's features.csv of the sample. */
    final Path features;

    /** The fitted online model (weights, bias, imputation defaults). */
    final LinearBaseline.Fit fit;

    /** The flights spec's online inputs, the model's input columns. */
    final ModelContract contract;

    /** The registered online model's directory. */
    final String modelDir;

    private OnlineFixture(
            Path features, LinearBaseline.Fit fit, ModelContract contract, String modelDir) {
        this.features = features;
        this.fit = fit;
        this.contract = contract;
        this.modelDir = modelDir;
    }

    static OnlineFixture prepare(Path tmp, String jdbcUrl) throws Exception {
        Path backfill = tmp.resolve("backfill");
        assertThat(
                        ParityCli.execute(
                                "backfill",
                                "--events",
                                SampleData.path().toString(),
                                "--out",
                                backfill.toString(),
                                "--progress-interval",
                                "PT0S"))
                .isZero();
        assertThat(
                        ParityCli.execute(
                                "batch-predict",
                                "--events",
                                SampleData.path().toString(),
                                "--model",
                                BATCH_MODEL,
                                "--jdbc-url",
                                jdbcUrl,
                                "--progress-interval",
                                "PT0S"))
                .isZero();
        ModelContract online = ModelContract.online(SpecPlan.of(BundledSpec.flights()));
        Path features = backfill.resolve("features.csv");
        LinearBaseline.Fit fit = LinearBaseline.fit(features, online, "delay");
        String model =
                LinearBaseline.register(
                        fit,
                        online,
                        tmp.resolve("registry").toString(),
                        "flights-online",
                        "1",
                        "test");
        return new OnlineFixture(features, fit, online, model);
    }
}
