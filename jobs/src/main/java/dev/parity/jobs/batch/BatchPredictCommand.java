package dev.parity.jobs.batch;

import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.PipelineCounters;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.engine.SpecSnapshots;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.ProgressReporter;
import dev.parity.jobs.backfill.BackfillJob;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import dev.parity.models.flink.Scoring;
import dev.parity.models.flink.ScoringOperator;
import dev.parity.models.flink.ServingModel;
import dev.parity.models.flink.SpecRowInput;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code parity batch-predict}: scores a period's query events (flights by default) into
 * PostgreSQL, on the launcher's local Flink or, through {@link BatchPredictionJob#main}, submitted
 * to a cluster with the same options.
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
        if (parallelism < 1 || jdbcBatchSize < 1 || maxBatch < 1) {
            throw new IllegalArgumentException(
                    "--parallelism, --jdbc-batch-size and --max-batch must be at least 1");
        }
        if (allowedLateness.isNegative()) {
            throw new IllegalArgumentException("--allowed-lateness must not be negative");
        }
        LocalDate fromDay = day("--from", from);
        LocalDate toDay = day("--to", to);
        if (fromDay != null && toDay != null && toDay.isBefore(fromDay)) {
            throw new IllegalArgumentException(
                    "--to (" + toDay + ") is before --from (" + fromDay + ")");
        }
        SpecPlan plan = SpecPlan.of(spec == null ? BundledSpec.flights() : FeatureSpec.load(spec));
        List<BackfillJob.Input> inputs = BackfillJob.inputs(plan, eventFiles);
        for (int i = 0; i < inputs.size(); i++) {
            BackfillJob.checkInput(eventFiles.get(i), inputs.get(i));
        }
        JdbcTarget db = jdbc.target();
        ModelGate gate = ModelGate.builder().maxBytes(maxModelBytes).build();
        ModelContract contract = ModelRegistry.specContract(model, plan);
        ModelManifest manifest = ModelRegistry.load(model, gate, contract).manifest();
        // Before the job: an unreachable database fails here, naming --jdbc-url.
        db.prepareTables();

        StreamExecutionEnvironment env = environment();
        ScoringOperator<FeatureRow> scoring =
                Scoring.of(new SpecRowInput(plan, contract))
                        .serve(ServingModel.at(model).gatedBy(gate))
                        .maxBatch(maxBatch)
                        .build();
        new BatchPredictionJob(
                        plan, inputs, allowedLateness, scoring, db, fromDay, toDay, jdbcBatchSize)
                .build(env);
        announce(
                (spec == null ? "" : "spec " + spec + ", ") + String.join(" ", eventFiles),
                fromDay,
                toDay,
                manifest,
                db);
        return execute(
                env,
                db,
                manifest,
                result -> {
                    Object first = result.getAccumulatorResult(BatchPredictionJob.FIRST_EVENT);
                    Object last = result.getAccumulatorResult(BatchPredictionJob.LAST_EVENT);
                    if (first == null
                            || last == null
                            || (Long) first > (Long) last // no events at all
                            || !SpecSnapshots.hasDailyFeatures(plan)) {
                        return;
                    }
                    LocalDate a = dayOf((Long) first);
                    LocalDate b = dayOf((Long) last);
                    a = fromDay != null && fromDay.isAfter(a) ? fromDay : a;
                    b = toDay != null && toDay.isBefore(b) ? toDay : b;
                    if (!b.isBefore(a)) {
                        recordDays(db, plan, a, b);
                        console.printf(Locale.ROOT, "  %-24s %s .. %s%n", "snapshot_days", a, b);
                    }
                });
    }

    private static LocalDate dayOf(long millis) {
        return LocalDate.ofEpochDay(Math.floorDiv(millis, 86_400_000L));
    }

    private static void recordDays(JdbcTarget db, SpecPlan plan, LocalDate first, LocalDate last)
            throws Exception {
        try (Connection c = db.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "INSERT INTO snapshot_days (spec_fingerprint, spec_name,"
                                        + " first_day, last_day) VALUES (?, ?, ?, ?)"
                                        + " ON CONFLICT DO NOTHING")) {
            ps.setString(1, plan.fingerprint());
            ps.setString(2, plan.name());
            ps.setObject(3, first);
            ps.setObject(4, last);
            ps.executeUpdate();
        }
    }

    private StreamExecutionEnvironment environment() {
        Configuration conf = LocalFlink.configuration(RuntimeExecutionMode.BATCH, !onCluster);
        if (!onCluster && !progressInterval.isZero()) {
            conf.setString(
                    "metrics.reporter.progress.factory.class",
                    ProgressReporter.Factory.class.getName());
            conf.setString(
                    "metrics.reporter.progress.interval", progressInterval.toMillis() + " ms");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        return env;
    }

    private void announce(
            String what,
            LocalDate fromDay,
            LocalDate toDay,
            ModelManifest manifest,
            JdbcTarget db) {
        console.printf(
                Locale.ROOT,
                "batch-predict: %s [%s .. %s] with %s/%s -> %s%n",
                what,
                fromDay == null ? "start" : fromDay,
                toDay == null ? "end" : toDay,
                manifest.name,
                manifest.version,
                db);
    }

    /** After a successful run, before the summary's last lines. */
    private interface AfterRun {
        void accept(JobExecutionResult result) throws Exception;
    }

    private Integer execute(
            StreamExecutionEnvironment env,
            JdbcTarget db,
            ModelManifest manifest,
            AfterRun afterRun)
            throws Exception {
        long start = System.nanoTime();
        JobExecutionResult result = env.execute("parity-batch-predict");
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!result.isJobExecutionResult()) {
            // flink run -d: the job runs on; its counters are in the web UI and metrics
            console.printf(
                    Locale.ROOT,
                    "batch-predict: submitted job %s (detached); rows appear in"
                            + " batch_predictions as it runs%n",
                    result.getJobID());
            return 0;
        }

        long upserted = counter(result, BatchPredictionJob.PREDICTIONS_UPSERTED);
        long unscorable = counter(result, BatchPredictionJob.UNSCORABLE);
        console.println("summary:");
        line("rows_read", counter(result, PipelineCounters.ROWS_READ));
        line("rows_rejected", counter(result, PipelineCounters.ROWS_REJECTED));
        line("late_events", counter(result, PipelineCounters.LATE_EVENTS));
        line("predictions_upserted", upserted);
        line("unscorable", unscorable);
        line(
                "snapshot_values_upserted",
                counter(result, BatchPredictionJob.SNAPSHOT_VALUES_UPSERTED));
        line("table_rows_for_model", rowsFor(db, manifest));
        console.printf(Locale.ROOT, "  %-24s %.2f%n", "wall_time_s", seconds);
        console.printf(Locale.ROOT, "  %-24s %.0f%n", "predictions_per_s", upserted / seconds);
        if (unscorable == 0 && afterRun != null) {
            afterRun.accept(result);
        }
        if (unscorable > 0) {
            throw new IllegalStateException(
                    unscorable
                            + " query events could not be scored and have no row in"
                            + " batch_predictions");
        }
        return 0;
    }

    private void line(String key, long value) {
        console.printf(Locale.ROOT, "  %-24s %,d%n", key, value);
    }

    private static long rowsFor(JdbcTarget db, ModelManifest manifest) throws Exception {
        try (Connection c = db.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(*) FROM batch_predictions WHERE model = ? AND version = ?")) {
            ps.setString(1, manifest.name);
            ps.setString(2, manifest.version);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
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

    private static long counter(JobExecutionResult result, String name) {
        Object v = result.getAccumulatorResult(name);
        return v == null ? 0L : ((Number) v).longValue();
    }
}
