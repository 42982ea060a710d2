package dev.parity.jobs.online;

import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.batch.JdbcOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code parity online}: the options of an {@link Online} job, on the launcher's local Flink or,
 * through {@link OnlinePredictionJob#main}, submitted to a cluster with the same options.
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
    @Option(
            names = "--bootstrap-servers",
            required = true,
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (comma-separated) of both topics.")
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
            paramLabel = "TOPIC",
            description =
                    "Kafka topic the requests are read from, one query event of the spec as JSON"
                            + " each. Default: ${DEFAULT-VALUE}.")
    String requestsTopic;

    @Option(
            names = "--responses-topic",
            defaultValue = "flights.responses",
            paramLabel = "TOPIC",
            description =
                    "Kafka topic the responses are written to, one per request, in transactions."
                            + " Default: ${DEFAULT-VALUE}.")
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

    @Option(
            names = "--parallelism",
            defaultValue = "1",
            paramLabel = "N",
            description =
                    "Parallelism of the lookup and scoring operators. Default: ${DEFAULT-VALUE}.")
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
        SpecPlan plan = SpecPlan.of(spec == null ? BundledSpec.flights() : FeatureSpec.load(spec));
        Online.builder(plan)
                .bootstrapServers(bootstrapServers)
                .requestsTopic(requestsTopic)
                .responsesTopic(responsesTopic)
                .model(model)
                .database(jdbc.target())
                .bounded(bounded)
                .checkpointInterval(checkpointInterval)
                .parallelism(parallelism)
                .maxWait(maxWait)
                .onCluster(onCluster)
                .build()
                .run();
        return 0;
    }
}
