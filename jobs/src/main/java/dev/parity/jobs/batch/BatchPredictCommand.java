package dev.parity.jobs.batch;

import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code parity batch-predict}: the options of a {@link BatchPredict} of a period's query events
 * (flights by default) into PostgreSQL, on the launcher's local Flink or, through {@link
 * BatchPredictionJob#main}, submitted to a cluster with the same options.
 */
@Command(
        name = "batch-predict",
        mixinStandardHelpOptions = true,
        description = {
            "Batch prediction: computes point-in-time features for every query event (flights:"
                    + " every departure) in [--from, --to] (UTC days, inclusive) with the"
                    + " backfill's feature pipeline, scores them with the same scoring operator"
                    + " and upserts them into the PostgreSQL table batch_predictions(id, model,"
                    + " version, prediction, computed_at), keyed by (id, model, version).",
            "The same job upserts the daily snapshots of the spec's daily features (flights:"
                    + " origin_delay_mean_30d_daily) of the period's days into"
                    + " feature_snapshots(spec_fingerprint, entity, day, feature, value), and"
                    + " records the days covered in snapshot_days: what the online job serves"
                    + " (docs/SPEC.md).",
            "Tables are created if missing. Re-running a period leaves the same rows; only"
                    + " computed_at changes."
        })
public final class BatchPredictCommand implements Callable<Integer> {
    @Option(
            names = "--events",
            required = true,
            paramLabel = "[KIND=]FILE",
            description =
                    "A Parquet or CSV file of the spec's source rows (flights: flights-3m.parquet, or CSV with header id,date,delay,distance,origin,destination), of its one event kind, or of the kind named before '='; repeat for several files. Events before --from still feed the features.")
    List<String> eventFiles;

    @Option(
            names = "--spec",
            paramLabel = "FILE",
            description =
                    "Feature spec (YAML, see docs/SPEC.md). Default: the bundled flights spec (examples/flights/flights.yaml).")
    Path spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Model directory (<registry>/<name>/<version>); must pass the gate.")
    String model;

    @Mixin JdbcOptions jdbc;

    @Option(
            names = "--from",
            paramLabel = "DAY",
            description = "First departure day (UTC, yyyy-mm-dd); default: the file's first.")
    String from;

    @Option(
            names = "--to",
            paramLabel = "DAY",
            description =
                    "Last departure day, inclusive (UTC, yyyy-mm-dd); default: the file's last.")
    String to;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            paramLabel = "N",
            description = "Parallelism of the operators. Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(
            names = "--allowed-lateness",
            defaultValue = "PT5M",
            paramLabel = "DURATION",
            description = "Bounded out-of-orderness of event time. Default: ${DEFAULT-VALUE}.")
    Duration allowedLateness;

    @Option(
            names = "--jdbc-batch-size",
            defaultValue = "1000",
            paramLabel = "N",
            description = "Rows per JDBC batch. Default: ${DEFAULT-VALUE}.")
    int jdbcBatchSize;

    @Option(
            names = "--max-batch",
            defaultValue = "256",
            paramLabel = "N",
            description = "Scoring micro-batch size. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(
            names = "--max-model-bytes",
            defaultValue = "268435456",
            paramLabel = "BYTES",
            description = "Size limit of the bad-model gate. Default: ${DEFAULT-VALUE}.")
    long maxModelBytes;

    @Option(
            names = "--progress-interval",
            defaultValue = "PT2S",
            paramLabel = "DURATION",
            description =
                    "How often to print progress; PT0S turns it off. Default: ${DEFAULT-VALUE}.")
    Duration progressInterval;

    private final PrintStream console;
    private final boolean onCluster;

    public BatchPredictCommand() {
        this(System.out, false);
    }

    /** {@code onCluster}: inside {@code flink run}; the cluster sizes memory and reporters. */
    BatchPredictCommand(PrintStream console, boolean onCluster) {
        this.console = console;
        this.onCluster = onCluster;
    }

    @Override
    public Integer call() throws Exception {
        SpecPlan plan = SpecPlan.of(spec == null ? BundledSpec.flights() : FeatureSpec.load(spec));
        BatchPredict.builder(plan)
                .specLabel(spec == null ? null : spec.toString())
                .events(eventFiles)
                .model(model)
                .database(jdbc.target())
                .period(day("--from", from), day("--to", to))
                .parallelism(parallelism)
                .allowedLateness(allowedLateness)
                .jdbcBatchSize(jdbcBatchSize)
                .maxBatch(maxBatch)
                .maxModelBytes(maxModelBytes)
                .progressInterval(progressInterval)
                .console(console)
                .onCluster(onCluster)
                .build()
                .run();
        return 0;
    }

    private static LocalDate day(String option, String value) {
        if (value == null) {
            return null;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    option + ": expected a day as yyyy-mm-dd, got '" + value + "'");
        }
    }
}
