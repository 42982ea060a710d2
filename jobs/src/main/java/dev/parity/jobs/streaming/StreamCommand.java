package dev.parity.jobs.streaming;

import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.ProgressReporter;
import dev.parity.jobs.kafka.KafkaPreflight;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parity stream}: the streaming prediction job on a local Flink against a Kafka cluster. The
 * job reads the same typed options ({@link StreamingOptions}) as on a cluster; the flags below are
 * shorthands for the common ones. Predictions are written with exactly-once transactions: consumers
 * must read with {@code isolation.level=read_committed}.
 */
@Command(
        name = "stream",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the streaming prediction job: JSON events from Kafka through the feature engine"
                    + " (RocksDB state) and the ONNX scoring operator to exactly-once predictions.",
            "Consumers of the predictions topic must set isolation.level=read_committed.",
            "Settings, lowest precedence first: built-in defaults, <conf-dir>/config.yaml, -D,"
                    + " the flags below."
        })
public final class StreamCommand implements Callable<Integer> {
    @Option(
            names = "--conf-dir",
            paramLabel = "DIR",
            description = "A Flink configuration directory with config.yaml (e.g. flink-conf).")
    Path confDir;

    @Option(
            names = "-D",
            paramLabel = "KEY=VALUE",
            description = "Any Flink or parity.* option (see the list below).")
    Map<String, String> dynamic = new LinkedHashMap<>();

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT",
            description = "= parity.kafka.bootstrap-servers")
    String bootstrapServers;

    @Option(names = "--model", paramLabel = "DIR", description = "= parity.model.dir")
    String model;

    @Option(
            names = "--spec",
            paramLabel = "FILE",
            description =
                    "= parity.spec: the feature spec of the events (JSON as replay writes"
                            + " them). The model must be trained on this spec. Default: the"
                            + " bundled flights spec (examples/flights/flights.yaml).")
    Path spec;

    @Option(
            names = "--control-topic",
            paramLabel = "TOPIC",
            description = "= parity.topics.control")
    String controlTopic;

    @Option(names = "--bounded", description = "= parity.events.bounded=true")
    boolean bounded;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            description = "= parallelism.default. Default here: 2.")
    Integer parallelism;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            description = "= execution.checkpointing.interval. Default here: 10 s.")
    Duration checkpointInterval;

    /** The effective configuration: defaults, then config.yaml, then -D, then the flags. */
    Configuration configuration() {
        Configuration conf = LocalFlink.configuration(RuntimeExecutionMode.STREAMING, true);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(10));
        conf.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        conf.set(org.apache.flink.configuration.CoreOptions.DEFAULT_PARALLELISM, 2);
        if (confDir != null) {
            if (!Files.isRegularFile(confDir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME))) {
                throw new IllegalArgumentException(
                        "--conf-dir "
                                + confDir
                                + ": no "
                                + GlobalConfiguration.FLINK_CONF_FILENAME);
            }
            conf.addAll(GlobalConfiguration.loadConfiguration(confDir.toString()));
        }
        conf.addAll(Configuration.fromMap(dynamic));
        if (bootstrapServers != null) {
            conf.set(StreamingOptions.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        if (spec != null) {
            conf.set(StreamingOptions.SPEC, spec.toString());
        }
        if (model != null) {
            conf.set(StreamingOptions.MODEL_DIR, model);
        }
        if (controlTopic != null) {
            conf.set(StreamingOptions.CONTROL_TOPIC, controlTopic);
        }
        if (bounded) {
            conf.set(StreamingOptions.BOUNDED, true);
        }
        if (parallelism != null) {
            conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        }
        if (checkpointInterval != null) {
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        }
        Duration interval = conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL);
        if (interval != null
                && conf.get(StreamingOptions.TRANSACTION_TIMEOUT).compareTo(interval) <= 0) {
            throw new IllegalArgumentException(
                    StreamingOptions.TRANSACTION_TIMEOUT.key()
                            + " must exceed execution.checkpointing.interval (plus restart time)");
        }
        return conf;
    }

    @Option(
            names = "--progress-interval",
            defaultValue = "10",
            paramLabel = "SECONDS",
            description =
                    "How often to print the records read, vectors and predictions so far; 0 turns"
                            + " it off. Default: ${DEFAULT-VALUE}.")
    long progressSeconds;

    @Override
    public Integer call() throws Exception {
        Configuration conf = configuration();
        StreamExecutionEnvironment env;
        StreamingPredictionJob job = StreamingPredictionJob.fromConfig(conf);
        KafkaPreflight.check(
                StreamingOptions.required(conf, StreamingOptions.BOOTSTRAP_SERVERS),
                StreamingOptions.clientProperties(conf),
                KafkaPreflight.TIMEOUT,
                false,
                StreamingOptions.EVENTS_TOPIC.key()
                        + "="
                        + conf.get(StreamingOptions.EVENTS_TOPIC));
        // the launcher runs the job on a local Flink: its web UI, and a progress line
        if (!conf.contains(RestOptions.PORT)) {
            conf.set(RestOptions.PORT, LocalFlink.freePort(8081));
        }
        int port = conf.get(RestOptions.PORT);
        ProgressReporter.install(
                conf, Duration.ofSeconds(progressSeconds), RuntimeExecutionMode.STREAMING);
        env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        job.build(env);
        System.out.printf(
                "stream: %s -> %s (exactly-once; read with isolation.level=read_committed);"
                        + " web UI http://localhost:%d; stop with Ctrl-C%n",
                conf.get(StreamingOptions.EVENTS_TOPIC),
                conf.get(StreamingOptions.PREDICTIONS_TOPIC),
                port);
        env.execute(conf.get(StreamingOptions.JOB_NAME));
        return 0;
    }

    /** The typed options as the help footer. */
    public static void addOptionList(CommandLine stream) {
        StringBuilder s = new StringBuilder("%nJob options (-D key=value, or config.yaml):%n");
        for (String line : StreamingOptions.describe()) {
            s.append(line.replace("%", "%%")).append("%n");
        }
        s.append(
                "Flink's own keys apply as usual, e.g. execution.checkpointing.interval,"
                        + " state.backend.type, restart-strategy.type.%n");
        stream.getCommandSpec().usageMessage().footer(s.toString());
    }
}
