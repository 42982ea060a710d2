package dev.parity.jobs.model;

import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.OutputPaths;
import dev.parity.models.LinearBaseline;
import dev.parity.models.ModelContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code parity baseline}: fits the least-squares linear model and registers it as ONNX. */
@Command(
        name = "baseline",
        mixinStandardHelpOptions = true,
        description = {
            "Fits a least-squares linear regression of the spec's label (flights: the delay) on a"
                    + " training file (from `parity backfill`) and registers it as"
                    + " <out>/<name>/<version>/model.onnx with its manifest. Null features are"
                    + " imputed with training means."
        })
public final class BaselineCommand implements Callable<Integer> {
    @Option(
            names = "--features",
            required = true,
            paramLabel = "FILE",
            description = "features.csv")
    Path features;

    @Option(
            names = "--features-set",
            defaultValue = "standard",
            paramLabel = "SET",
            description =
                    "standard (every numeric column of the spec: backfill, batch and streaming)"
                            + " or online (its context and daily features only, for the online"
                            + " job). Default: ${DEFAULT-VALUE}.")
    String featuresSet;

    @Option(
            names = "--spec",
            paramLabel = "FILE",
            description =
                    "Feature spec the training file was written for. Default: the bundled flights"
                            + " spec (examples/flights/flights.yaml).")
    Path spec;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Model registry directory (created if missing; may hold other models).")
    String out;

    @Option(
            names = "--name",
            defaultValue = "flights-linear",
            description = "Model name. Default: ${DEFAULT-VALUE}.")
    String name;

    @Option(
            names = "--model-version",
            defaultValue = "1",
            description = "Model version. Default: ${DEFAULT-VALUE}.")
    String version;

    @Override
    public Integer call() throws Exception {
        SpecPlan plan = SpecPlan.of(spec == null ? BundledSpec.flights() : FeatureSpec.load(spec));
        ModelContract contract;
        switch (featuresSet) {
            case "standard":
                contract = ModelContract.of(plan);
                break;
            case "online":
                contract = ModelContract.online(plan);
                break;
            default:
                throw new IllegalArgumentException(
                        "--features-set: expected standard or online, got '" + featuresSet + "'");
        }
        String label =
                plan.labelColumn()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "spec "
                                                        + plan.name()
                                                        + " has no label to fit (query.label)"));
        if (!Files.isReadable(features)) {
            throw new IllegalArgumentException("--features: cannot read '" + features + "'");
        }
        // a registry: it may hold other models already
        OutputPaths.checkDirectory("--out", Path.of(out), false, false, Set.of());
        LinearBaseline.Fit fit = LinearBaseline.fit(features, contract, label);
        String dir =
                LinearBaseline.register(
                        fit, contract, out, name, version, features.getFileName().toString());
        System.out.printf(
                Locale.ROOT,
                "baseline: %,d rows, training MAE %.3f min, RMSE %.3f min -> %s%n",
                fit.rows,
                fit.mae,
                fit.rmse,
                dir);
        return 0;
    }
}
