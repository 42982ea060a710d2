package dev.parity.jobs.model;

import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.FlightFeatures;
import dev.parity.models.LinearBaseline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code parity baseline}: fits the least-squares linear model and registers it as ONNX. */
@Command(
        name = "baseline",
        mixinStandardHelpOptions = true,
        description = {
            "Fits a least-squares linear regression of the delay on a training file (from"
                    + " `parity backfill`) and registers it as <out>/<name>/<version>/model.onnx"
                    + " with its manifest. Null features are imputed with training means."
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
                    "standard (the streaming job's flights_v1) or online (flights_online_v1, for"
                            + " the online job). Default: ${DEFAULT-VALUE}.")
    String featuresSet;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Model registry directory.")
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
        FeatureSet set = FlightFeatures.named("--features-set", featuresSet);
        if (!Files.isReadable(features)) {
            throw new IllegalArgumentException("--features: cannot read '" + features + "'");
        }
        LinearBaseline.Fit fit = LinearBaseline.fit(features, set);
        String dir =
                LinearBaseline.register(
                        fit, set, out, name, version, features.getFileName().toString());
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
