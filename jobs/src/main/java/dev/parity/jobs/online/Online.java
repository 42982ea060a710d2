package dev.parity.jobs.online;

import dev.parity.features.engine.SpecPlan;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.batch.JdbcTarget;
import dev.parity.jobs.kafka.KafkaPreflight;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import dev.parity.models.flink.Scoring;
import dev.parity.models.flink.ServingModel;
import dev.parity.models.flink.SpecRowInput;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Online serving as a Java API: {@link OnlinePredictionJob} reading requests (query events as the
 * spec's JSON) from a Kafka topic and writing one response each, exactly once, from the daily
 * snapshots in PostgreSQL. {@code parity online} and the demo run it.
 *
 * <pre>{@code
 * Online.builder(plan)
 *         .bootstrapServers("localhost:9092")
 *         .model(onlineModelDir)
 *         .database(JdbcTarget.of(url, user, password))
 *         .bounded(true) // stop at the requests' current end
 *         .build()
 *         .run();
 * }</pre>
 */
public final class Online {
    private final SpecPlan plan;
    private final String bootstrapServers;
    private final String requestsTopic;
    private final String responsesTopic;
    private final String model;
    private final JdbcTarget db;
    private final boolean bounded;
    private final Duration checkpointInterval;
    private final int parallelism;
    private final Duration maxWait;
    private final boolean onCluster;

    private Online(Builder b) {
        this.plan = b.plan;
        this.bootstrapServers = b.bootstrapServers;
        this.requestsTopic = b.requestsTopic;
        this.responsesTopic = b.responsesTopic;
        this.model = b.model;
        this.db = b.db;
        this.bounded = b.bounded;
        this.checkpointInterval = b.checkpointInterval;
        this.parallelism = b.parallelism;
        this.maxWait = b.maxWait;
        this.onCluster = b.onCluster;
    }

    public static Builder builder(SpecPlan plan) {
        return new Builder(plan);
    }

    /**
     * The online contract of {@code plan}; a model of the full spec is refused before any job
     * starts, naming the inputs a request cannot be served with.
     */
    static ModelContract onlineContract(SpecPlan plan, String modelDir) {
        ModelContract online = ModelContract.online(plan);
        if (online.inputColumns().isEmpty()) {
            throw new IllegalArgumentException(
                    "spec "
                            + plan.name()
                            + " has no numeric context column and no daily feature to serve"
                            + " online");
        }
        List<String> unservable = new ArrayList<>();
        try {
            for (String input : ModelRegistry.manifestOf(modelDir).inputNames()) {
                if (plan.header().contains(input) && !online.inputColumns().contains(input)) {
                    unservable.add(input);
                }
            }
        } catch (IOException | RuntimeException e) {
            return online; // the gate names what is wrong with the model directory
        }
        if (!unservable.isEmpty()) {
            throw new IllegalArgumentException(
                    "--model "
                            + modelDir
                            + ": reads "
                            + String.join(", ", unservable)
                            + ", which an online request cannot be served with (only context"
                            + " columns and daily features are); train it with --features-set online");
        }
        return online;
    }

    /**
     * Checks the database, the tables and the model, then runs the job (until the requests' end
     * when bounded, else until cancelled).
     *
     * @throws IllegalArgumentException naming the model or database that is refused (no job
     *     started)
     */
    public void run() throws Exception {
        db.prepareTables();
        ModelGate gate = ModelGate.builder().build();
        ModelContract contract = onlineContract(plan, model);
        ModelManifest manifest = ModelRegistry.load(model, gate, contract).manifest();
        KafkaPreflight.check(
                bootstrapServers,
                new Properties(),
                KafkaPreflight.TIMEOUT,
                false,
                "--requests-topic=" + requestsTopic);

        Configuration conf = LocalFlink.configuration(RuntimeExecutionMode.STREAMING, !onCluster);
        // bounded restarts: a poison request must not restart the job forever (a known Flink trap)
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "3");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(checkpointInterval.toMillis());

        KafkaSource<byte[]> source =
                OnlinePredictionJob.kafkaRequests(
                        bootstrapServers, requestsTopic, "parity-online", bounded);
        // below the broker's transaction.max.timeout.ms (15 min by default), above the
        // checkpoint interval plus a restart
        KafkaSink<byte[]> sink =
                OnlinePredictionJob.kafkaResponses(
                        bootstrapServers,
                        responsesTopic,
                        "parity-online-responses",
                        Duration.ofMinutes(10));
        long waitMillis = Math.max(1, maxWait.toMillis());
        OnlinePredictionJob job =
                new OnlinePredictionJob(
                        source,
                        sink,
                        plan,
                        Scoring.of(new SpecRowInput(plan, contract))
                                .serve(ServingModel.at(model).gatedBy(gate))
                                .maxBatch(64)
                                .maxWait(Duration.ofMillis(waitMillis))
                                .build(),
                        db);
        job.build(env);
        System.out.printf(
                Locale.ROOT,
                "online: %s -> %s with %s/%s, snapshots from %s%n",
                requestsTopic,
                responsesTopic,
                manifest.name,
                manifest.version,
                db);
        env.execute("parity-online");
    }

    /** Options of an {@link Online}; defaults as {@code parity online}'s. */
    public static final class Builder {
        private final SpecPlan plan;
        private String bootstrapServers;
        private String requestsTopic = "flights.requests";
        private String responsesTopic = "flights.responses";
        private String model;
        private JdbcTarget db;
        private boolean bounded;
        private Duration checkpointInterval = Duration.ofSeconds(2);
        private int parallelism = 1;
        private Duration maxWait = Duration.ofMillis(2);
        private boolean onCluster;

        private Builder(SpecPlan plan) {
            this.plan = Objects.requireNonNull(plan, "plan");
        }

        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        public Builder requestsTopic(String requestsTopic) {
            this.requestsTopic = requestsTopic;
            return this;
        }

        public Builder responsesTopic(String responsesTopic) {
            this.responsesTopic = responsesTopic;
            return this;
        }

        /** A model of the spec's online inputs ({@link ModelContract#online}). */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder database(JdbcTarget db) {
            this.db = db;
            return this;
        }

        /** Stop at the requests topic's end offsets at start-up (tests, the demo). */
        public Builder bounded(boolean bounded) {
            this.bounded = bounded;
            return this;
        }

        public Builder checkpointInterval(Duration checkpointInterval) {
            this.checkpointInterval = checkpointInterval;
            return this;
        }

        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        public Builder maxWait(Duration maxWait) {
            this.maxWait = maxWait;
            return this;
        }

        /** Inside {@code flink run}: the cluster sizes memory and slots. */
        public Builder onCluster(boolean onCluster) {
            this.onCluster = onCluster;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the option that is missing or out of range
         */
        public Online build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("--bootstrap-servers: none given");
            }
            if (model == null) {
                throw new IllegalArgumentException("--model: no model given");
            }
            if (db == null) {
                throw new IllegalArgumentException("--jdbc-url: no database given");
            }
            if (parallelism < 1) {
                throw new IllegalArgumentException(
                        "--parallelism must be at least 1, got " + parallelism);
            }
            if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
                throw new IllegalArgumentException("--checkpoint-interval must be positive");
            }
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("--max-wait must not be negative");
            }
            return new Online(this);
        }
    }
}
