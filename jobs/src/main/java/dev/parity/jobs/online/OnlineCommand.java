package dev.parity.jobs.online;

import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.FlightFeatures;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.batch.JdbcOptions;
import dev.parity.jobs.batch.JdbcTarget;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import dev.parity.models.flink.ScoringOperator;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code parity online}: the online prediction job, on the launcher's local Flink or, through
 * {@link OnlinePredictionJob#main}, submitted to a cluster with the same options.
 */
@Command(
        name = "online",
        mixinStandardHelpOptions = true,
        description = {
            "Online prediction: answers requests {request_id, origin, dest, distance, dep_time} on"
                    + " --requests-topic with {request_id, model, version, prediction,"
                    + " feature_day} on --responses-topic (exactly-once), using only the request"
                    + " and the feature_snapshots row of its UTC day (written by batch-predict).",
            "A request without a snapshot for its day gets {request_id, feature_day, error}."
                    + " The model must be built on the online feature set ("
                    + FlightFeatures.ONLINE_SET_NAME
                    + ")."
        })
public final class OnlineCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT")
    String bootstrapServers;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Model directory of the online feature set.")
    String model;

    @Mixin JdbcOptions jdbc;

    @Option(
            names = "--requests-topic",
            defaultValue = "flights.requests",
            description = "Default: ${DEFAULT-VALUE}.")
    String requestsTopic;

    @Option(
            names = "--responses-topic",
            defaultValue = "flights.responses",
            description = "Default: ${DEFAULT-VALUE}.")
    String responsesTopic;

    @Option(
            names = "--bounded",
            description = "Stop at the requests topic's end offsets at start (tests, demos).")
    boolean bounded;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "PT2S",
            paramLabel = "DURATION",
            description =
                    "Responses become visible to read_committed consumers at each checkpoint. Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(names = "--parallelism", defaultValue = "1", paramLabel = "N")
    int parallelism;

    @Option(
            names = "--max-wait",
            defaultValue = "PT0.002S",
            paramLabel = "DURATION",
            description =
                    "Longest a request waits for its scoring micro-batch. Default: ${DEFAULT-VALUE}.")
    Duration maxWait;

    private final boolean onCluster;

    public OnlineCommand() {
        this(false);
    }

    /** {@code onCluster}: inside {@code flink run}; the cluster sizes memory and slots. */
    OnlineCommand(boolean onCluster) {
        this.onCluster = onCluster;
    }

    @Override
    public Integer call() throws Exception {
        JdbcTarget db = jdbc.target();
        db.prepareTables();
        FeatureSet set = FlightFeatures.online();
        ModelGate gate = ModelGate.builder().build();
        ModelManifest manifest = ModelRegistry.load(model, gate, set).manifest();

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
        ScoringOperator scoring =
                new ScoringOperator(model, gate, set, 64, Math.max(1, maxWait.toMillis()), 1);
        new OnlinePredictionJob(source, sink, set, scoring, db).build(env);
        System.out.printf(
                Locale.ROOT,
                "online: %s -> %s with %s/%s, snapshots from %s%n",
                requestsTopic,
                responsesTopic,
                manifest.name,
                manifest.version,
                db);
        env.execute("parity-online");
        return 0;
    }
}
