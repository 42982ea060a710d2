package dev.parity.jobs.online;

import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.batch.JdbcOptions;
import dev.parity.jobs.batch.JdbcTarget;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import dev.parity.models.flink.Scoring;
import dev.parity.models.flink.ServingModel;
import dev.parity.models.flink.SpecRowInput;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
            "Online prediction: answers requests on --requests-topic, each one query event of the"
                    + " spec as JSON (flights: a departure {id, time, origin, dest, distance}), with"
                    + " {request_id, model, version, prediction, feature_day} on --responses-topic"
                    + " (exactly-once), using only the request and the feature_snapshots of its"
                    + " UTC day (written by batch-predict).",
            "A request that cannot be answered (not a valid query event, or a day batch-predict"
                    + " did not cover) gets {request_id, feature_day, error}. The model must be"
                    + " built on the spec's online inputs (train --features-set online, or"
                    + " baseline --features-set online; docs/SPEC.md)."
        })
public final class OnlineCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT")
    String bootstrapServers;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Model directory of the spec's online inputs.")
    String model;

    @Mixin JdbcOptions jdbc;

    @Option(
            names = "--spec",
            paramLabel = "FILE",
            description =
                    "Feature spec (YAML, see docs/SPEC.md) whose query events the requests are. Default: the bundled flights spec (examples/flights/flights.yaml).")
    Path spec;

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

    @Override
    public Integer call() throws Exception {
        JdbcTarget db = jdbc.target();
        db.prepareTables();
        SpecPlan plan = SpecPlan.of(spec == null ? BundledSpec.flights() : FeatureSpec.load(spec));
        ModelGate gate = ModelGate.builder().build();
        ModelContract contract = onlineContract(plan, model);
        ModelManifest manifest = ModelRegistry.load(model, gate, contract).manifest();

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
        return 0;
    }
}
