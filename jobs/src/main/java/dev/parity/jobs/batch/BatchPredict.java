package dev.parity.jobs.batch;

import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.PipelineCounters;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.engine.SpecSnapshots;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Batch prediction as a Java API: a spec's query events of a period scored by {@link
 * BatchPredictionJob} into PostgreSQL ({@code batch_predictions}, and the daily snapshots with
 * {@code snapshot_days}), on a local Flink or inside {@code flink run}. {@code parity
 * batch-predict} and the demo run it.
 *
 * <pre>{@code
 * BatchPredict.builder(plan)
 *         .events(List.of("data/sample/flights-sample.csv"))
 *         .model("models/bundled/flights-linear/1")
 *         .database(JdbcTarget.of(url, user, password))
 *         .build()
 *         .run();
 * }</pre>
 *
 * The inputs, the model and the database are checked before the job starts.
 */
public final class BatchPredict {
    private final SpecPlan plan;
    private final String specLabel;
    private final List<String> eventFiles;
    private final String model;
    private final JdbcTarget db;
    private final LocalDate fromDay;
    private final LocalDate toDay;
    private final int parallelism;
    private final Duration allowedLateness;
    private final int jdbcBatchSize;
    private final int maxBatch;
    private final long maxModelBytes;
    private final Duration progressInterval;
    private final PrintStream console;
    private final boolean onCluster;

    private BatchPredict(Builder b) {
        this.plan = b.plan;
        this.specLabel = b.specLabel;
        this.eventFiles = List.copyOf(b.events);
        this.model = b.model;
        this.db = b.db;
        this.fromDay = b.from;
        this.toDay = b.to;
        this.parallelism = b.parallelism;
        this.allowedLateness = b.allowedLateness;
        this.jdbcBatchSize = b.jdbcBatchSize;
        this.maxBatch = b.maxBatch;
        this.maxModelBytes = b.maxModelBytes;
        this.progressInterval = b.progressInterval;
        this.console = b.console;
        this.onCluster = b.onCluster;
    }

    public static Builder builder(SpecPlan plan) {
        return new Builder(plan);
    }

    /**
     * Checks the inputs, the model and the database, runs the job and prints its summary.
     *
     * @throws IllegalArgumentException naming the file, option or database that is refused (no job
     *     started)
     * @throws IllegalStateException when query events could not be scored
     */
    public void run() throws Exception {
        List<BackfillJob.Input> inputs = BackfillJob.inputs(plan, eventFiles);
        for (int i = 0; i < inputs.size(); i++) {
            BackfillJob.checkInput(eventFiles.get(i), inputs.get(i));
        }
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
                (specLabel == null ? "" : "spec " + specLabel + ", ")
                        + String.join(" ", eventFiles),
                fromDay,
                toDay,
                manifest,
                db);
        execute(
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
        if (!onCluster) {
            ProgressReporter.install(conf, progressInterval, RuntimeExecutionMode.BATCH);
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

    private void execute(
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
            return;
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

    private static long counter(JobExecutionResult result, String name) {
        Object v = result.getAccumulatorResult(name);
        return v == null ? 0L : ((Number) v).longValue();
    }

    /** Options of a {@link BatchPredict}; defaults as {@code parity batch-predict}'s. */
    public static final class Builder {
        private final SpecPlan plan;
        private String specLabel;
        private List<String> events = List.of();
        private String model;
        private JdbcTarget db;
        private LocalDate from;
        private LocalDate to;
        private int parallelism = 2;
        private Duration allowedLateness = Duration.ofMinutes(5);
        private int jdbcBatchSize = 1000;
        private int maxBatch = 256;
        private long maxModelBytes = 256L << 20;
        private Duration progressInterval = Duration.ofSeconds(2);
        private PrintStream console = System.out;
        private boolean onCluster;

        private Builder(SpecPlan plan) {
            this.plan = Objects.requireNonNull(plan, "plan");
        }

        /** Where the spec came from, for the banner; null for the bundled one. */
        public Builder specLabel(String specLabel) {
            this.specLabel = specLabel;
            return this;
        }

        /** The event files, each {@code [kind=]file} ({@link BackfillJob#inputs}). */
        public Builder events(List<String> events) {
            this.events = List.copyOf(events);
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder database(JdbcTarget db) {
            this.db = db;
            return this;
        }

        /** First and last UTC day scored (inclusive); null for the data's first or last. */
        public Builder period(LocalDate from, LocalDate to) {
            this.from = from;
            this.to = to;
            return this;
        }

        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        public Builder allowedLateness(Duration allowedLateness) {
            this.allowedLateness = allowedLateness;
            return this;
        }

        public Builder jdbcBatchSize(int jdbcBatchSize) {
            this.jdbcBatchSize = jdbcBatchSize;
            return this;
        }

        public Builder maxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        public Builder maxModelBytes(long maxModelBytes) {
            this.maxModelBytes = maxModelBytes;
            return this;
        }

        /** How often to print progress on a local Flink; zero turns it off. */
        public Builder progressInterval(Duration progressInterval) {
            this.progressInterval = progressInterval;
            return this;
        }

        public Builder console(PrintStream console) {
            this.console = Objects.requireNonNull(console, "console");
            return this;
        }

        /** Inside {@code flink run}: the cluster sizes memory and reporters. */
        public Builder onCluster(boolean onCluster) {
            this.onCluster = onCluster;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the option that is missing or out of range
         */
        public BatchPredict build() {
            if (events.isEmpty()) {
                throw new IllegalArgumentException("--events: no event file given");
            }
            if (model == null) {
                throw new IllegalArgumentException("--model: no model given");
            }
            if (db == null) {
                throw new IllegalArgumentException("--jdbc-url: no database given");
            }
            if (parallelism < 1 || jdbcBatchSize < 1 || maxBatch < 1) {
                throw new IllegalArgumentException(
                        "--parallelism, --jdbc-batch-size and --max-batch must be at least 1");
            }
            if (allowedLateness.isNegative()) {
                throw new IllegalArgumentException("--allowed-lateness must not be negative");
            }
            if (from != null && to != null && to.isBefore(from)) {
                throw new IllegalArgumentException(
                        "--to (" + to + ") is before --from (" + from + ")");
            }
            return new BatchPredict(this);
        }
    }
}
